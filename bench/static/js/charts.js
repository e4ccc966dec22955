// Draw each chart whose Vega-Lite spec the server put in a JSON data block (never run as
// script). The CSP forbids eval, so Vega evaluates expressions with vega-interpreter.
// vega, vegaLite and vegaEmbed are globals from the deferred classic scripts before this.
import { expressionInterpreter } from "../dist/vega-interpreter.js";

const options = {
  ast: true,
  expr: expressionInterpreter,
  renderer: "svg",
  // Download as SVG or PNG; no source, compiled spec or editor link.
  actions: { export: true, source: false, compiled: false, editor: false },
  // No injected <style> elements (the CSP forbids them): dist/vega-charts.css instead.
  defaultStyle: false,
  forceActionsMenu: true,
  tooltip: { disableDefaultStyle: true },
};

for (const container of document.querySelectorAll("[data-chart-spec]")) {
  const block = document.getElementById(container.dataset.chartSpec);
  if (!block) continue;
  const spec = JSON.parse(block.textContent);
  globalThis
    .vegaEmbed(container, spec, { ...options, downloadFileName: container.dataset.chartName })
    .then(() => container.classList.add("bench-chart--drawn"))
    .catch((error) => console.error(error));
}
