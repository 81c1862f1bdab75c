"""The import graph of ``cips/``: no cycles, and layers that only import downwards.

grimp reads every import statement, those inside functions too, so an import moved into a
function to dodge a cycle is still an edge here. Imports under ``if TYPE_CHECKING:`` are left
out: they never run, and annotations may name a type from a module that imports this one.
"""

from __future__ import annotations

import grimp
import pytest

#: Top to bottom: a layer may import the layers below it, never those above. Modules of one
#: layer in a ``Layer(..., independent=False)`` may import each other; the others are independent.
LAYERS = (
    "cli",
    grimp.Layer("admin", "api", "auth", "manage", "programme", "survey", independent=False),
    "services",
    "submissions",
    grimp.Layer("models", "crypto"),
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("cips", exclude_type_checking_imports=True)


def test_layers_no_import_cycle_inside_cips(graph) -> None:
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(" -> ".join((module, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _route_text(route: grimp.Route) -> str:
    """A route as modules joined by arrows (several heads or tails: joined by "|")."""
    return " -> ".join(("|".join(sorted(route.heads)), *route.middle, "|".join(sorted(route.tails))))


def test_layers_route_text_names_every_module_of_a_route() -> None:
    route = grimp.Route.new(heads={"cips.a", "cips.b"}, middle=("cips.m",), tails={"cips.z"})
    assert _route_text(route) == "cips.a|cips.b -> cips.m -> cips.z"


def test_layers_import_only_downwards(graph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={"cips"})
    described = [f"{d.importer} -> {d.imported}: " + "; ".join(_route_text(r) for r in d.routes)
                 for d in illegal]  # fmt: skip
    assert not described, "imports against the layers:\n" + "\n".join(described)


def test_layers_crypto_is_a_leaf(graph) -> None:
    outside = {m for m in graph.find_upstream_modules("cips.crypto", as_package=True) if m.startswith("cips.")}
    assert not outside, f"cips.crypto imports {sorted(outside)}"
