// Build bench's front-end assets into bench/static/dist, served by the app itself.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "bench", "static", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = sass.compile(join(root, "assets", "bench.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "bench.css"), result.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
cpSync(join(govuk, "assets", "manifest.json"), join(out, "assets", "manifest.json"));

// Charts: Vega, Vega-Lite and vega-embed ship UMD builds (globals vega, vegaLite,
// vegaEmbed), loaded as classic deferred scripts. vega-interpreter (the expression
// interpreter that lets Vega run under a CSP without 'unsafe-eval') ships only an ES
// module importing the bare name "vega-util"; a browser cannot resolve that without an
// inline import map, so the import is pointed at a tiny module re-exporting the same
// functions from the vega global (vega re-exports all of vega-util).
const modules = join(root, "node_modules");
cpSync(join(modules, "vega", "build", "vega.min.js"), join(out, "vega.min.js"));
cpSync(join(modules, "vega-lite", "build", "vega-lite.min.js"), join(out, "vega-lite.min.js"));
cpSync(join(modules, "vega-embed", "build", "vega-embed.min.js"), join(out, "vega-embed.min.js"));
const interpreter = readFileSync(
  join(modules, "vega-interpreter", "build", "vega-interpreter.js"),
  "utf8",
);
const utilImport = /from ['"]vega-util['"]/g;
if (!utilImport.test(interpreter)) throw new Error("vega-interpreter no longer imports vega-util");
writeFileSync(
  join(out, "vega-interpreter.js"),
  interpreter.replace(utilImport, 'from "./vega-util.js"').replace(/\n\/\/# sourceMappingURL=.*/, ""),
);
const names = [...interpreter.matchAll(/import \{([^}]*)\} from ['"]vega-util['"]/g)]
  .flatMap((match) => match[1].split(","))
  .map((name) => name.trim())
  .filter(Boolean);
writeFileSync(
  join(out, "vega-util.js"),
  `// vega-util's functions, taken from the vega global (loaded before any module runs).\n` +
    `const { ${names.join(", ")} } = globalThis.vega;\nexport { ${names.join(", ")} };\n`,
);
// The CSP allows no injected <style> elements, so vega-embed's and vega-tooltip's
// default styles (which they would inject) are served as a stylesheet instead.
const pick = (file, variable) => {
  const text = readFileSync(join(modules, file), "utf8");
  const match = text.match(new RegExp(`var ${variable} = \`([^\`]*)\`;`));
  if (!match) throw new Error(`${variable} not found in ${file}`);
  return match[1];
};
writeFileSync(
  join(out, "vega-charts.css"),
  pick(join("vega-embed", "build", "embed.js"), "embedStyle") +
    pick(join("vega-tooltip", "build", "index.js"), "defaultStyle"),
);
console.log(`built ${out}`);
