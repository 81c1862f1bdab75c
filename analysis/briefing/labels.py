# ruff: noqa: E501  (a table of phrases: one concept per line reads better than wrapped tuples)
"""What each codebook concept and RAD factor is called in a briefing sentence, in en/fr/es/pt.

Synthesis sentences are templates filled with these noun phrases ("Plusieurs
contributions (7) ont souligné *la formation du personnel*"), so the wording is
written here by hand rather than taken from the codebook's first term (``simplif*``
or "DG" read badly in a sentence). French, Spanish and Portuguese phrases carry
their article; the short theme label drops it and takes a capital.
"""

from __future__ import annotations

import re

from analysis.factors import OTHER, factor_name

# concept id -> (en, fr, es, pt)
CONCEPTS: dict[str, tuple[str, str, str, str]] = {
    # leadership
    "top_management": ("the role of senior management", "le rôle de la haute direction", "el papel de la alta dirección", "o papel da direção de topo"),
    "lead_by_example": ("leading by example", "l'exemplarité des dirigeants", "el ejemplo de los directivos", "a exemplaridade dos dirigentes"),
    "commitment_will": ("commitment at the highest level", "l'engagement au plus haut niveau", "el compromiso al más alto nivel", "o compromisso ao mais alto nível"),
    "leadership_role": ("leadership", "le leadership", "el liderazgo", "a liderança"),
    "continuity": ("continuity when management changes", "la continuité lors des changements de direction", "la continuidad ante los cambios de autoridades", "a continuidade quando muda a direção"),
    "accountability_of_leaders": ("managers' accountability", "la redevabilité des dirigeants", "la rendición de cuentas de los directivos", "a prestação de contas dos dirigentes"),
    "management_complicity": ("managers' tolerance of misconduct", "la tolérance de la hiérarchie envers les abus", "la tolerancia de los jefes ante los abusos", "a tolerância das chefias face aos abusos"),
    "political_interference": ("political interference", "les interventions politiques", "la injerencia política", "a interferência política"),
    "management_presence": ("managers' presence in the field", "la présence de la direction sur le terrain", "la presencia de la dirección en el terreno", "a presença da direção no terreno"),
    "words_vs_deeds": ("the gap between words and deeds", "l'écart entre les discours et les actes", "la distancia entre el discurso y los hechos", "a distância entre o discurso e a prática"),
    # regulatory
    "simplification": ("simpler procedures", "la simplification des procédures", "la simplificación de los trámites", "a simplificação dos procedimentos"),
    "documents_required": ("the documents required", "les documents exigés", "los documentos exigidos", "os documentos exigidos"),
    "exemptions": ("exemptions and special regimes", "les exonérations et régimes dérogatoires", "las exenciones y regímenes especiales", "as isenções e regimes especiais"),
    "legal_framework": ("the legal framework", "le cadre juridique", "el marco jurídico", "o quadro jurídico"),
    "discretion": ("officers' discretion", "le pouvoir discrétionnaire des agents", "la discrecionalidad de los funcionarios", "a discricionariedade dos funcionários"),
    "harmonisation": ("harmonised application of the rules", "l'harmonisation de l'application des règles", "la aplicación uniforme de las normas", "a aplicação uniforme das regras"),
    "international_standards": ("international standards", "les normes internationales", "las normas internacionales", "as normas internacionais"),
    "penalty_regime": ("the penalty regime", "le régime des pénalités", "el régimen de sanciones", "o regime de penalidades"),
    "unclear_rules": ("unclear rules", "la complexité des règles", "la complejidad de las normas", "a complexidade das regras"),
    "border_agencies": ("coordination between border agencies", "la coordination des services aux frontières", "la coordinación entre organismos de frontera", "a coordenação entre organismos de fronteira"),
    # transparency
    "publication": ("publishing information", "la publication d'informations", "la publicación de información", "a publicação de informação"),
    "service_standards": ("service charters and standards", "les chartes et normes de service", "las cartas y normas de servicio", "as cartas e normas de serviço"),
    "appeal": ("the right of appeal", "les voies de recours", "el derecho de recurso", "o direito de recurso"),
    "written_reasons": ("written reasons for decisions", "la motivation écrite des décisions", "la motivación escrita de las decisiones", "a fundamentação escrita das decisões"),
    "rulings": ("advance rulings", "les décisions anticipées", "las resoluciones anticipadas", "as decisões prévias"),
    "fees_receipts": ("official fees and receipts", "les frais officiels et les quittances", "las tasas oficiales y los recibos", "as taxas oficiais e os recibos"),
    "reference_values": ("reference values", "les valeurs de référence", "los valores de referencia", "os valores de referência"),
    "information_access": ("access to information", "l'accès à l'information", "el acceso a la información", "o acesso à informação"),
    "openness": ("transparency", "la transparence", "la transparencia", "a transparência"),
    "advance_notice": ("predictability and advance notice", "la prévisibilité et le préavis", "la previsibilidad y el aviso previo", "a previsibilidade e o aviso prévio"),
    "know_someone": ("the need to know someone inside", "la nécessité de connaître quelqu'un à l'intérieur", "la necesidad de conocer a alguien adentro", "a necessidade de conhecer alguém lá dentro"),
    # automation
    "e_clearance": ("electronic clearance", "le dédouanement électronique", "el despacho electrónico", "o desembaraço eletrónico"),
    "it_system": ("IT systems and automation", "l'informatisation et les systèmes informatiques", "la automatización y los sistemas informáticos", "a automatização e os sistemas informáticos"),
    "e_payment": ("electronic payment", "le paiement électronique", "el pago electrónico", "o pagamento eletrónico"),
    "single_window": ("the single window", "le guichet unique", "la ventanilla única", "a janela única"),
    "face_to_face": ("less face-to-face contact", "la réduction des contacts directs", "la reducción del contacto directo", "a redução do contacto direto"),
    "random_assignment": ("random assignment of declarations", "l'affectation aléatoire des déclarations", "la asignación aleatoria de declaraciones", "a atribuição aleatória das declarações"),
    "selectivity": ("automated selectivity", "la sélectivité automatisée", "la selectividad automatizada", "a seletividade automatizada"),
    "system_outage": ("system breakdowns", "les pannes du système", "las caídas del sistema", "as falhas do sistema"),
    "manual_paper": ("remaining paper procedures", "les procédures encore sur papier", "los trámites aún en papel", "os procedimentos ainda em papel"),
    "traceability": ("traceability of actions", "la traçabilité des actions", "la trazabilidad de las actuaciones", "a rastreabilidade das ações"),
    "surveillance_equipment": ("cameras and surveillance equipment", "les caméras et équipements de surveillance", "las cámaras y equipos de vigilancia", "as câmaras e equipamentos de vigilância"),
    "online_tracking": ("online tracking of files", "le suivi des dossiers en ligne", "el seguimiento de los trámites en línea", "o acompanhamento dos processos em linha"),
    # reform
    "modernisation": ("modernisation", "la modernisation", "la modernización", "a modernização"),
    "reform_process": ("the reform process", "le processus de réforme", "el proceso de reforma", "o processo de reforma"),
    "incentives_bypass": ("removing incentives to bypass procedures", "la suppression des incitations à contourner les procédures", "la eliminación de incentivos para eludir los procedimientos", "a eliminação de incentivos para contornar os procedimentos"),
    "risk_management": ("risk management", "la gestion des risques", "la gestión de riesgos", "a gestão de risco"),
    "aeo_trusted_traders": ("authorised economic operators", "les opérateurs économiques agréés", "los operadores económicos autorizados", "os operadores económicos autorizados"),
    "restructuring": ("restructuring", "la réorganisation des services", "la reestructuración", "a reestruturação"),
    "one_stop_border": ("one-stop border posts", "les postes frontières juxtaposés", "los puestos fronterizos integrados", "os postos fronteiriços de paragem única"),
    "change_management": ("change management", "la conduite du changement", "la gestión del cambio", "a gestão da mudança"),
    "incomplete_reform": ("unfinished reforms", "les réformes inachevées", "las reformas inconclusas", "as reformas inacabadas"),
    # audit
    "internal_audit": ("internal audit and control", "l'audit et le contrôle internes", "la auditoría y el control internos", "a auditoria e o controlo internos"),
    "internal_affairs": ("internal affairs units", "les services d'affaires internes", "las unidades de asuntos internos", "as unidades de assuntos internos"),
    "investigation": ("investigations", "les enquêtes", "las investigaciones", "as investigações"),
    "complaints": ("complaints handling", "le traitement des plaintes", "la gestión de las quejas", "o tratamento das reclamações"),
    "whistleblowing": ("whistle-blowing and reporting channels", "les dispositifs de signalement", "los canales de denuncia", "os canais de denúncia"),
    "asset_declaration": ("asset declarations", "les déclarations de patrimoine", "las declaraciones patrimoniales", "as declarações de bens"),
    "sanctions": ("sanctions", "les sanctions", "las sanciones", "as sanções"),
    "integrity_testing": ("integrity testing and surprise checks", "les tests d'intégrité et contrôles inopinés", "las pruebas de integridad y controles sorpresa", "os testes de integridade e controlos surpresa"),
    # conduct
    # Its terms include "ethics" alone ("ethics training"): the name says so.
    "code_of_conduct": ("the code of conduct and ethics", "le code de conduite et l'éthique", "el código de conducta y la ética", "o código de conduta e a ética"),
    "gifts_hospitality": ("gifts and hospitality", "les cadeaux et avantages", "los regalos y atenciones", "as ofertas e presentes"),
    "conflict_of_interest": ("conflicts of interest", "les conflits d'intérêts", "los conflictos de intereses", "os conflitos de interesses"),
    "outside_activities": ("outside activities", "le cumul d'activités", "las actividades externas", "as atividades externas"),
    "post_employment": ("post-employment rules", "les règles de pantouflage", "las normas posteriores al empleo", "as regras pós-emprego"),
    "officer_behaviour": ("officers' behaviour", "le comportement des agents", "el comportamiento de los funcionarios", "o comportamento dos funcionários"),
    "ethics_advice": ("ethics advice", "le conseil déontologique", "la asesoría en ética", "o aconselhamento ético"),
    "familiarity": ("over-familiarity with users", "la familiarité avec les usagers", "la familiaridad con los usuarios", "a familiaridade com os utentes"),
    # hrm
    "recruitment": ("recruitment", "le recrutement", "el reclutamiento", "o recrutamento"),
    "training": ("staff training", "la formation du personnel", "la capacitación del personal", "a formação do pessoal"),
    "rotation": ("staff rotation", "la rotation du personnel", "la rotación del personal", "a rotação do pessoal"),
    "pay": ("pay", "la rémunération", "la remuneración", "a remuneração"),
    "promotion_merit": ("merit-based promotion", "l'avancement au mérite", "los ascensos por mérito", "a promoção por mérito"),
    "appraisal": ("staff appraisal", "l'évaluation des agents", "la evaluación del desempeño", "a avaliação do desempenho"),
    "professionalism": ("professionalism", "le professionnalisme", "la profesionalización", "o profissionalismo"),
    "staffing_conditions": ("staffing and working conditions", "les effectifs et conditions de travail", "la dotación y las condiciones de trabajo", "os efetivos e as condições de trabalho"),
    "appointments": ("appointments to posts", "les nominations aux postes", "los nombramientos", "as nomeações"),
    "human_resources": ("human resource management", "la gestion des ressources humaines", "la gestión de recursos humanos", "a gestão de recursos humanos"),
    # culture
    "morale": ("staff morale", "le moral des agents", "la moral del personal", "o moral do pessoal"),
    "pride_belonging": ("pride and sense of belonging", "la fierté et le sentiment d'appartenance", "el orgullo y el sentido de pertenencia", "o orgulho e o sentido de pertença"),
    "team_spirit": ("team spirit", "l'esprit d'équipe", "el espíritu de equipo", "o espírito de equipa"),
    "staff_involvement": ("involving staff", "l'implication du personnel", "la participación del personal", "o envolvimento do pessoal"),
    "values": ("shared values", "les valeurs partagées", "los valores compartidos", "os valores partilhados"),
    "integrity_committees": ("integrity committees and focal points", "les comités et référents intégrité", "los comités y referentes de integridad", "os comités e pontos focais de integridade"),
    "recognition": ("recognition of integrity", "la reconnaissance de l'intégrité", "el reconocimiento de la integridad", "o reconhecimento da integridade"),
    "mentality": ("mindsets and culture", "les mentalités", "las mentalidades", "as mentalidades"),
    "climate_trust": ("a climate of trust", "le climat de confiance", "el clima de confianza", "o clima de confiança"),
    "internal_communication": ("internal communication", "la communication interne", "la comunicación interna", "a comunicação interna"),
    "public_image": ("the public image of customs", "l'image de la douane", "la imagen de la aduana", "a imagem da alfândega"),
    # private sector
    "consultation": ("consulting the private sector", "la concertation avec le secteur privé", "la consulta al sector privado", "a consulta ao setor privado"),
    "dialogue_forum": ("customs–business dialogue forums", "les cadres de dialogue douane-entreprises", "las mesas de diálogo aduana-empresas", "os fóruns de diálogo alfândega-empresas"),
    "business_associations": ("business associations and chambers of commerce", "les associations professionnelles et chambres de commerce", "las asociaciones empresariales y cámaras de comercio", "as associações empresariais e câmaras de comércio"),
    "mou_partnership": ("memoranda of understanding and partnerships", "les protocoles d'accord et partenariats", "los memorandos de entendimiento y alianzas", "os memorandos de entendimento e parcerias"),
    "awareness_campaign": ("awareness campaigns", "les campagnes de sensibilisation", "las campañas de sensibilización", "as campanhas de sensibilização"),
    "user_feedback": ("user feedback", "le retour des usagers", "la opinión de los usuarios", "a opinião dos utentes"),
    "trader_responsibility": ("traders' own responsibility", "la responsabilité des opérateurs", "la responsabilidad de los operadores", "a responsabilidade dos operadores"),
    "liaison": ("a contact point for traders", "un interlocuteur pour les opérateurs", "un punto de contacto para los operadores", "um ponto de contacto para os operadores"),
    # other
    "thanks_praise": ("appreciation of the programme", "l'appréciation du programme", "la valoración del programa", "a apreciação do programa"),
    "wco_role": ("the WCO's support and tools", "l'appui et les outils de l'OMD", "el apoyo y las herramientas de la OMA", "o apoio e os instrumentos da OMA"),
    "acpi_programme": ("the A-CPI programme and its activities", "le programme A-CPI et ses activités", "el programa A-CPI y sus actividades", "o programa A-CPI e as suas atividades"),
    "cips_survey": ("the integrity perception survey and its report", "l'enquête de perception de l'intégrité et son rapport", "la encuesta de percepción de la integridad y su informe", "o inquérito de perceção da integridade e o seu relatório"),
    "diagnostic_self_assessment": ("diagnostic missions and self-assessment", "les missions de diagnostic et l'auto-évaluation", "las misiones de diagnóstico y la autoevaluación", "as missões de diagnóstico e a autoavaliação"),
    "peer_exchange": ("exchanges of experience between administrations", "les échanges d'expériences entre administrations", "el intercambio de experiencias entre administraciones", "a troca de experiências entre administrações"),
    "events_workshops": ("regional workshops and meetings", "les ateliers et rencontres régionaux", "los talleres y encuentros regionales", "os seminários e encontros regionais"),
    "cooperation_between_administrations": ("cooperation with other administrations and organisations", "la coopération avec d'autres administrations et organisations", "la cooperación con otras administraciones y organismos", "a cooperação com outras administrações e organizações"),
    "programme_continuation_funding": ("continuing and funding the programme", "la poursuite et le financement du programme", "la continuidad y la financiación del programa", "a continuidade e o financiamento do programa"),
    "no_comment": ("the questionnaire itself", "le questionnaire lui-même", "el propio cuestionario", "o próprio questionário"),
    "offtopic_logistics": ("logistics outside customs' control", "la logistique hors du ressort de la douane", "la logística ajena a la aduana", "a logística fora do controlo da alfândega"),
}  # fmt: skip

# factor id -> noun phrase, used when a theme has no codebook concept
FACTOR_PHRASES: dict[str, tuple[str, str, str, str]] = {
    "leadership": ("leadership and commitment", "le leadership et l'engagement", "el liderazgo y el compromiso", "a liderança e o compromisso"),
    "regulatory": ("the regulatory framework", "le cadre réglementaire", "el marco normativo", "o quadro regulatório"),
    "transparency": ("transparency", "la transparence", "la transparencia", "a transparência"),
    "automation": ("automation", "l'automatisation", "la automatización", "a automação"),
    "reform": ("reform and modernisation", "la réforme et la modernisation", "la reforma y la modernización", "a reforma e a modernização"),
    "audit": ("audit and investigation", "l'audit et les enquêtes", "la auditoría y la investigación", "a auditoria e a investigação"),
    "conduct": ("the code of conduct", "le code de conduite", "el código de conducta", "o código de conduta"),
    "hrm": ("human resource management", "la gestion des ressources humaines", "la gestión de recursos humanos", "a gestão de recursos humanos"),
    "culture": ("morale and organisational culture", "le moral et la culture organisationnelle", "la moral y la cultura organizacional", "o moral e a cultura organizacional"),
    "private_sector": ("the relationship with the private sector", "la relation avec le secteur privé", "la relación con el sector privado", "a relação com o setor privado"),
    OTHER: ("other points", "d'autres points", "otros puntos", "outros pontos"),
}  # fmt: skip

_INDEX = {"en": 0, "fr": 1, "es": 2, "pt": 3}
_INNER_ARTICLE = re.compile(r"\b(et|y|e|and)\s+(?:(?:les|le|la|los|las|el|os|as|o|a|the)\s+|l')(?=\w)")
_ARTICLES = ("la ", "le ", "les ", "l'", "el ", "los ", "las ", "a ", "o ", "os ", "as ", "un ", "um ", "the ", "d'")


def concept_phrase(concept: str, lang: str) -> str:
    """The concept as a noun phrase for a sentence (with its article in fr/es/pt)."""
    entry = CONCEPTS.get(concept)
    return entry[_INDEX.get(lang, 0)] if entry else concept.replace("_", " ")


def factor_phrase(factor: str, lang: str) -> str:
    entry = FACTOR_PHRASES.get(factor)
    return entry[_INDEX.get(lang, 0)] if entry else factor_name(factor, lang).lower()


def bare_phrase(phrase: str) -> str:
    """A noun phrase without its articles: "la formation du personnel" -> "formation du personnel"."""
    for article in _ARTICLES:
        if phrase.lower().startswith(article):
            phrase = phrase[len(article) :]
            break
    # "appui et les outils" -> "appui et outils": a label is a heading, not a sentence.
    return _INNER_ARTICLE.sub(r"\1 ", phrase)


def short_label(phrase: str) -> str:
    """A heading from a noun phrase: "la formation du personnel" -> "Formation du personnel"."""
    phrase = bare_phrase(phrase)
    return phrase[:1].upper() + phrase[1:]
