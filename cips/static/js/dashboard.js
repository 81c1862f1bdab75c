// Live fieldwork dashboard: refresh the server-rendered fragment without reloading the page.
// The fragment is HTML escaped by the server's templates; no data is interpreted here.
(function () {
  "use strict";
  const status = document.getElementById("live-status");
  const target = document.getElementById("live");
  if (!status || !target) return;
  const url = status.dataset.liveUrl;
  const every = Math.max(1, Number(status.dataset.refresh) || 10) * 1000;
  let delay = every;

  async function refresh() {
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (response.redirected || response.status === 401) { window.location.reload(); return; }
      if (!response.ok) throw new Error(String(response.status));
      const html = await response.text();
      const openDetails = [...target.querySelectorAll("details[open]")].map((d, i) => i);
      target.innerHTML = html;
      const details = target.querySelectorAll("details");
      openDetails.forEach((i) => details[i] && (details[i].open = true));
      status.textContent = `${status.dataset.updatedLabel} ${new Date().toLocaleTimeString()}`;
      delay = every;
    } catch (err) {
      status.textContent = status.dataset.offlineLabel;
      delay = Math.min(delay * 2, 5 * 60 * 1000); // back off while the server is unreachable
    }
    setTimeout(refresh, delay);
  }
  setTimeout(refresh, delay);
})();
