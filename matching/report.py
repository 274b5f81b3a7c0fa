"""``report.html``: one self-contained page that explains a linkage run (in French).

What it shows: the run (counts, thresholds, timings, model), Splink's own charts — match
weights of every comparison level, m and u parameters, the histogram of scored pairs, a few
waterfalls that decompose the score of chosen pairs — and the m/u table.

Why self-contained: statisticians work on machines without network access to CDNs. Splink
charts are Vega-Lite specifications; Splink 5 ships the Vega, Vega-Lite and vega-embed
runtimes it pins, so they are inlined once at the top of the page and every chart is drawn
from its specification by ``vegaEmbed``. No request leaves the page (checked by a browser
test with the network cut).

The waterfalls never show identity values (Splink's ``remove_sensitive_data``): the report
is a file that travels, and it is enough to see which comparison levels made the score.
"""

from __future__ import annotations

import html
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker
from splink.internals.charts import MatchWeightsHistogramChart
from splink.internals.html_utils import load_chart_libraries

from matching.engines import close_db_api

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _json_for_script(value: Any) -> str:
    """JSON that cannot close the surrounding <script> element."""

    def default(o: Any) -> Any:
        if isinstance(o, np.generic):
            return o.item()
        return str(o)

    return json.dumps(value, default=default, allow_nan=False).translate(_ESCAPES)


@dataclass(frozen=True)
class ReportChart:
    title: str
    explanation: str
    spec: dict[str, Any]


@dataclass
class ReportData:
    title: str
    facts: list[tuple[str, str]]
    charts: list[ReportChart] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    cluster_sizes: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parameter_rows(settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per comparison level: label, m, u, Bayes factor and match weight."""
    rows = []
    for comparison in settings.get("comparisons", []):
        name = comparison.get("output_column_name") or comparison.get("comparison_description")
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append(
                {
                    "comparison": name,
                    "level": level.get("label_for_charts") or level.get("sql_condition"),
                    "m": m,
                    "u": u,
                    "bayes_factor": (m / u) if m and u else None,
                    "match_weight": weight,
                    "tf": bool(level.get("tf_adjustment_column")),
                }
            )
    return rows


def histogram_chart(weights: pa.ChunkedArray | pa.Array, bins: int = 60) -> ReportChart | None:
    """Splink's match-weight histogram chart, fed with the scored pairs' weights."""
    values = np.asarray(pc.drop_null(weights).to_numpy(zero_copy_only=False), dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    low, high = float(values.min()), float(values.max())
    width = max((high - low) / bins, 0.1)
    counts, edges = np.histogram(values, bins=max(1, math.ceil((high - low) / width) or 1))
    records = [
        {
            "splink_score_bin_low": float(edges[i]),
            "splink_score_bin_high": float(edges[i + 1]),
            "binwidth": float(edges[i + 1] - edges[i]),
            "count_rows": int(c),
        }
        for i, c in enumerate(counts)
        if c
    ]
    chart = MatchWeightsHistogramChart(records)
    chart.set_width_height(width=600, height=250)
    return ReportChart(
        "Distribution des poids des paires évaluées",
        "Chaque paire retenue par le blocage et au-dessus du seuil de revue, selon son poids "
        "(log2 du rapport de vraisemblance, a priori compris).",
        chart.chart_dict,
    )


def _waterfall_pairs(
    pairs: pa.Table, auto_link: float, review: float, limit: int = 4
) -> list[tuple[str, str, str]]:
    """A few instructive pairs: the strongest, the nearest each side of the auto-link
    threshold, and the weakest pair sent to review."""
    if pairs.num_rows == 0:
        return []
    prob = np.asarray(pairs.column("match_probability").to_numpy(), dtype=np.float64)
    weight = np.asarray(pairs.column("match_weight").to_numpy(), dtype=np.float64)
    chosen: list[tuple[int, str]] = [(int(np.argmax(weight)), "la paire la plus sûre")]
    above = np.flatnonzero(prob >= auto_link)
    if len(above):
        chosen.append((int(above[np.argmin(prob[above])]), "juste au-dessus du seuil de liaison"))
    band = np.flatnonzero((prob < auto_link) & (prob >= review))
    if len(band):
        chosen.append((int(band[np.argmax(prob[band])]), "la plus haute de la zone de revue"))
        chosen.append((int(band[np.argmin(prob[band])]), "la plus basse de la zone de revue"))
    seen: set[int] = set()
    out = []
    left, right = pairs.column("record_id_l"), pairs.column("record_id_r")
    for index, why in chosen:
        if index in seen:
            continue
        seen.add(index)
        out.append((left[index].as_py(), right[index].as_py(), why))
    return out[:limit]


def splink_charts(
    settings: Mapping[str, Any],
    records: pa.Table,
    pairs: pa.Table,
    *,
    auto_link: float,
    review: float,
) -> list[ReportChart]:
    """Splink's model charts and a few waterfalls for a trained settings dictionary.

    ``records`` are the records the model compares (its input columns); ``pairs`` the scored
    pairs. Waterfalls re-score a handful of pairs with Splink's ``score_pair`` so the main
    prediction need not keep its intermediate columns.
    """
    explained = deepcopy(dict(settings))
    explained["retain_intermediate_calculation_columns"] = True
    explained["retain_matching_columns"] = True
    explained["linker_uid"] = None
    api = DuckDBAPI()
    try:
        return _charts(api, explained, records, pairs, auto_link=auto_link, review=review)
    finally:
        close_db_api(api)


def _charts(
    api: DuckDBAPI,
    explained: dict[str, Any],
    records: pa.Table,
    pairs: pa.Table,
    *,
    auto_link: float,
    review: float,
) -> list[ReportChart]:
    linker = Linker(api.register(records), explained, log_level=None)
    charts = [
        ReportChart(
            "Poids de chaque niveau de comparaison",
            "Le poids (log2 de m/u) qu'apporte chaque niveau de chaque comparaison ; en haut, "
            "l'a priori : la probabilité que deux fiches prises au hasard soient la même "
            "personne.",
            linker.visualisations.match_weights_chart().chart_dict,
        ),
        ReportChart(
            "Paramètres m et u",
            "m : part des vraies paires à ce niveau ; u : part des paires de personnes "
            "différentes à ce niveau.",
            linker.visualisations.m_u_parameters_chart().chart_dict,
        ),
    ]
    histogram = histogram_chart(pairs.column("match_weight"))
    if histogram is not None:
        charts.append(histogram)
    chosen = _waterfall_pairs(pairs, auto_link, review)
    if chosen:
        for column in _tf_columns(explained):
            linker.table_management.compute_tf_table(column)
        by_id = _records_by_id(records, {i for left, right, _ in chosen for i in (left, right)})
        scored = []
        for left, right, _why in chosen:
            frame = linker.inference.score_pair(by_id[left], by_id[right])
            scored.extend(frame.as_record_list())
        waterfall = linker.visualisations.waterfall_chart(
            scored, filter_nulls=True, remove_sensitive_data=True
        )
        descriptions = "; ".join(f"{n + 1} : {why}" for n, (_, _, why) in enumerate(chosen))
        charts.append(
            ReportChart(
                "Décomposition du score de quelques paires (waterfall)",
                "Comment chaque comparaison ajoute ou retire du poids, de l'a priori au score "
                f"final. Paires ({descriptions}). Les valeurs d'identité ne sont pas affichées.",
                waterfall.chart_dict,
            )
        )
    return charts


def _tf_columns(settings: Mapping[str, Any]) -> list[str]:
    columns: list[str] = []
    for comparison in settings.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            column = level.get("tf_adjustment_column")
            if column and column not in columns:
                columns.append(column)
    return columns


def _records_by_id(records: pa.Table, ids: set[str]) -> dict[str, dict[str, Any]]:
    subset = records.filter(pc.is_in(records.column("record_id"), value_set=pa.array(list(ids))))
    return {row["record_id"]: row for row in subset.to_pylist()}


def cluster_size_counts(clusters: pa.Table) -> list[tuple[int, int]]:
    """(cluster size, number of clusters of that size), ascending by size."""
    sizes = pc.value_counts(clusters.column("cluster_id")).field("counts")
    counted = pc.value_counts(sizes)
    pairs = zip(
        counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
    )
    return sorted((int(size), int(n)) for size, n in pairs)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.3e}"
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def render(report: ReportData) -> str:
    """The whole page as one string: inlined chart runtimes, then one div per chart."""
    libraries = load_chart_libraries()
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.title)}</title>",
        f"<style>{_CSS}</style>",
        *(f"<script>{src}</script>" for src in libraries.values()),
        "</head><body><main>",
        f"<h1>{esc(report.title)}</h1>",
        "<section><h2>Exécution</h2><table class='facts'><tbody>",
        *(f"<tr><th scope='row'>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in report.facts),
        "</tbody></table></section>",
    ]
    if report.notes:
        parts.append("<section><h2>Remarques</h2><ul>")
        parts += [f"<li>{esc(n)}</li>" for n in report.notes]
        parts.append("</ul></section>")
    specs: list[tuple[str, dict[str, Any]]] = []
    for index, chart in enumerate(report.charts):
        div = f"chart-{index}"
        specs.append((div, chart.spec))
        parts += [
            f"<section><h2>{esc(chart.title)}</h2><p>{esc(chart.explanation)}</p>",
            f"<div id='{div}' class='chart' role='img' aria-label='{esc(chart.title)}'></div>",
            "</section>",
        ]
    if report.parameters:
        parts += [
            "<section><h2>Table des paramètres m et u</h2>",
            "<table class='params'><thead><tr><th scope='col'>Comparaison</th>"
            "<th scope='col'>Niveau</th><th scope='col'>m</th><th scope='col'>u</th>"
            "<th scope='col'>Facteur de Bayes</th><th scope='col'>Poids</th>"
            "<th scope='col'>Fréquence</th></tr></thead><tbody>",
        ]
        for row in report.parameters:
            parts.append(
                "<tr>"
                + "".join(
                    f"<td>{esc(_fmt(row[k]))}</td>"
                    for k in ("comparison", "level", "m", "u", "bayes_factor", "match_weight")
                )
                + f"<td>{'oui' if row['tf'] else ''}</td></tr>"
            )
        parts.append("</tbody></table></section>")
    if report.cluster_sizes:
        parts += [
            "<section><h2>Taille des groupes</h2><table class='sizes'><thead><tr>"
            "<th scope='col'>Fiches par groupe</th><th scope='col'>Groupes</th></tr></thead>"
            "<tbody>",
            *(f"<tr><td>{size}</td><td>{count}</td></tr>" for size, count in report.cluster_sizes),
            "</tbody></table></section>",
        ]
    parts.append("</main><script>")
    parts.append(f"const SPECS = {_json_for_script(specs)};")
    parts.append(_EMBED_JS)
    parts.append("</script></body></html>")
    return "\n".join(parts)


def charts_html(charts: Sequence[ReportChart]) -> str:
    """An HTML fragment drawing ``charts`` offline (for a notebook cell): the runtimes
    inlined once, then one titled div per chart."""
    libraries = load_chart_libraries()
    esc = html.escape
    prefix = f"srj-{uuid.uuid4().hex[:8]}"
    parts = [f"<script>{src}</script>" for src in libraries.values()]
    specs = []
    for index, chart in enumerate(charts):
        div = f"{prefix}-{index}"
        specs.append((div, chart.spec))
        parts.append(f"<h3>{esc(chart.title)}</h3><p>{esc(chart.explanation)}</p>")
        parts.append(f"<div id='{div}' class='chart'></div>")
    parts.append(f"<script>(function () {{ const SPECS = {_json_for_script(specs)};")
    parts.append(_EMBED_JS + "})();</script>")
    return "\n".join(parts)


_EMBED_JS = """
for (const [id, spec] of SPECS) {
  const target = document.getElementById(id);
  vegaEmbed(target, spec, {actions: false}).catch(function (err) {
    target.textContent = 'Graphique indisponible : ' + (err.message || err);
    target.classList.add('error');
  });
}
"""

_CSS = """
body { font-family: system-ui, sans-serif; margin: 0; color: #1e1e1e; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 2rem 4rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
table.params td:nth-child(n+3), table.sizes td {
  text-align: right; font-variant-numeric: tabular-nums;
}
.chart { overflow-x: auto; } .error { color: #b00020; }
"""


def facts_table(items: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Facts as display strings (integers with thin spaces, floats shortened)."""
    out = []
    for key, value in items:
        if isinstance(value, bool):
            text = "oui" if value else "non"
        elif isinstance(value, int):
            text = f"{value:,}".replace(",", "\u202f")
        else:
            text = _fmt(value)
        out.append((key, text))
    return out
