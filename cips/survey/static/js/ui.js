// Small DOM helpers shared by the modules: no framework, no build step.

/** Create an element: h("button", {class: "x", onclick: fn, dataset: {testid: "go"}}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Fill "{n} of {total}" style placeholders. */
export function fmt(text, values = {}) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Human-readable byte count (storage quota), in the page's language ("358 ko, 10 Go" in French). */
export function bytes(n, lang = document.documentElement.lang || undefined) {
  if (!Number.isFinite(n)) return "?";
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  const digits = n < 10 && i > 0 ? 1 : 0;
  try {
    return new Intl.NumberFormat(lang, { style: "unit", unit: units[i], maximumFractionDigits: digits }).format(n);
  } catch {
    return `${n.toFixed(digits)} ${["B", "KB", "MB", "GB", "TB"][i]}`; // an engine without unit formatting
  }
}

/** Offer a JSON document as a file download (attention list export). */
export function downloadJson(filename, data) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
