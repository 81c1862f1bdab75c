// Review queue, keyboard first: digits 1-9 and 0 toggle the factors, Shift with a digit makes
// that factor the primary, Enter accepts, the left and right arrows move in the queue.
// Without JavaScript the same form works with the mouse.
(() => {
  const form = document.getElementById("review-form");
  if (!form) return;
  const boxes = [...form.querySelectorAll("input[name=labels]")];
  const radios = [...form.querySelectorAll("input[name=primary]")];
  const radioOf = (box) => radios.find((r) => r.value === box.value);

  // The primary is one of the ticked factors: the first ticked when none is chosen.
  function settle() {
    const ticked = boxes.filter((b) => b.checked);
    const primary = radios.find((r) => r.checked);
    if (primary && !ticked.some((b) => b.value === primary.value)) primary.checked = false;
    if (!radios.some((r) => r.checked) && ticked.length) radioOf(ticked[0]).checked = true;
    for (const r of radios) r.disabled = !boxes.find((b) => b.value === r.value).checked;
  }

  for (const box of boxes) box.addEventListener("change", settle);
  for (const radio of radios) radio.addEventListener("change", settle);
  settle();

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && target.type === "text")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const digit = /^Digit(\d)$/.exec(event.code);
    if (digit) {
      const box = boxes.find((b) => b.dataset.key === digit[1]);
      if (!box) return;
      event.preventDefault();
      if (event.shiftKey) {
        box.checked = true;
        radioOf(box).disabled = false;
        radioOf(box).checked = true;
      } else {
        box.checked = !box.checked;
      }
      settle();
    } else if (event.key === "Enter" && !(target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const link = document.getElementById(event.key === "ArrowLeft" ? "review-prev" : "review-next");
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
    }
  });
})();
