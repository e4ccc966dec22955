// Draw each chart whose Vega-Lite spec the server put in a JSON data block (never run as
// script). The CSP forbids eval, so Vega evaluates expressions with vega-interpreter.
// vega, vegaLite and vegaEmbed are globals from the deferred classic scripts before this.
import { expressionInterpreter } from "../dist/vega-interpreter.js";

const options = {
  ast: true,
  expr: expressionInterpreter,
  renderer: "svg",
  // No "…" menu: it has no accessible name and a 1 px focus ring. The page's own links,
  // "Download chart as SVG / PNG", do its one useful job (see downloads below).
  actions: false,
  // No injected <style> elements (the CSP forbids them): dist/vega-charts.css instead.
  defaultStyle: false,
  tooltip: { disableDefaultStyle: true },
};

const PNG_SCALE = 2; // sharp on high-density screens and in documents
const RESIZE_WAIT = 250; // ms after the last resize before the files are drawn again
const KEEP_OLD_FILES = 60_000; // ms a replaced file stays downloadable

// Point a chart's download links at files of the chart as it is drawn now. They are
// ordinary links (href and download), so a keyboard, a mouse or "Save link as" all work;
// they stay hidden until there is a chart to download.
function downloads(container, view) {
  const blocks = document.querySelectorAll(`[data-chart-downloads="${container.id}"]`);
  if (!blocks.length) return;
  let urls = [];
  const refresh = async () => {
    const fresh = [];
    for (const link of document.querySelectorAll(
      `[data-chart-downloads="${container.id}"] [data-chart-download]`,
    )) {
      const format = link.dataset.chartDownload;
      const url = await view.toImageURL(format, format === "png" ? PNG_SCALE : 1);
      link.href = url;
      fresh.push(url);
    }
    // Let go of the previous files a while later, not at once: a download that has just
    // started from one of them must be able to finish.
    const stale = urls.filter((url) => url.startsWith("blob:"));
    setTimeout(() => stale.forEach((url) => URL.revokeObjectURL(url)), KEEP_OLD_FILES);
    urls = fresh;
    for (const block of blocks) block.hidden = false;
  };
  let timer;
  view.addResizeListener(() => {
    clearTimeout(timer);
    timer = setTimeout(refresh, RESIZE_WAIT);
  });
  return refresh();
}

for (const container of document.querySelectorAll("[data-chart-spec]")) {
  const block = document.getElementById(container.dataset.chartSpec);
  if (!block) continue;
  const spec = JSON.parse(block.textContent);
  globalThis
    .vegaEmbed(container, spec, options)
    .then((result) => downloads(container, result.view))
    .then(() => container.classList.add("bench-chart--drawn"))
    .catch((error) => console.error(error));
}
