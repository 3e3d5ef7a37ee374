package dev.penwright.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes a run as bench.json, bench.md and bench.html with PNG charts into one folder. */
public final class ReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** @return the files written */
    public List<Path> write(BenchResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Path json = dir.resolve("bench.json");
        JSON.writeValue(json.toFile(), result);
        files.add(json);
        // Every text and what each row made of it, one JSON line each, for reading outputs beyond the examples.
        Path outputs = dir.resolve("outputs.jsonl");
        try (var writer = Files.newBufferedWriter(outputs, StandardCharsets.UTF_8)) {
            for (StyleTable table : result.styles()) {
                for (StyleTable.Example e : table.outputs()) {
                    var line = JSON.createObjectNode().put("style", table.style()).put("id", e.id())
                            .put("original", e.original()).put("neutralDraft", e.neutralDraft());
                    line.set("outputs", JSON.valueToTree(e.outputs()));
                    writer.write(JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(line));
                    writer.newLine();
                }
            }
        }
        files.add(outputs);
        Path md = dir.resolve("bench.md");
        Files.writeString(md, markdown(result), StandardCharsets.UTF_8);
        files.add(md);
        List<String> charts = new ArrayList<>();
        for (String metric : List.of("rougeL", "bleu4", "styleScore", "contentRecall")) {
            Path png = dir.resolve("chart-" + metric + ".png");
            if (chart(result, metric, png)) {
                files.add(png);
                charts.add(png.getFileName().toString());
            }
        }
        Path html = dir.resolve("bench.html");
        Files.writeString(html, html(result, charts), StandardCharsets.UTF_8);
        files.add(html);
        return files;
    }

    public static String json(BenchResult result) throws IOException {
        return JSON.writeValueAsString(result);
    }

    static String fmt(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The paper's Table 1 layout: one table a style, then the overall mean. */
    public static String markdown(BenchResult r) {
        StringBuilder sb = new StringBuilder("# Style-imitation benchmark\n\n");
        sb.append("Planner `").append(r.settings().get("planner")).append("`, n = ").append(r.settings().get("n"))
                .append(" a style, seed ").append(r.settings().get("seed")).append(", ")
                .append(String.format(Locale.ROOT, "%.1f", r.seconds())).append(" s.\n\n");
        for (String key : List.of("baseModel", "model", "shots", "packsFolder", "packsLoaded", "packsRejected",
                "packsSkipped")) {
            Object v = r.settings().get(key);
            if (v != null && !(v instanceof List<?> l && l.isEmpty())) {
                sb.append("- ").append(key).append(": ").append(v).append('\n');
            }
        }
        sb.append("\n").append(SHOTS_LEGEND).append(".\n\n");
        for (StyleTable t : r.styles()) {
            sb.append("## ").append(t.style()).append(" (").append(t.language()).append(", ").append(t.n())
                    .append(" of ").append(t.testSize()).append(' ').append(split(r)).append(" texts)\n\n");
            table(sb, t.rows());
        }
        sb.append("## Overall (mean over styles)\n\n");
        table(sb, r.overall());
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<RowResult> rows) {
        boolean judged = judged(rows);
        sb.append("| System | ROUGE-L | BLEU-4 | Style | Content recall | Factual hall. % | Faithfulness hall. % | ")
                .append(judged ? "Factual hall. % (LLM judge) | Faithfulness hall. % (LLM judge) | " : "")
                .append("n | shots | plan cut | s |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|").append(judged ? "---:|---:|" : "").append("---:|---:|---:|---:|\n");
        for (RowResult row : rows) {
            if (!row.available()) {
                sb.append("| ").append(row.label()).append(" | not available: ").append(row.reason().replace("|", "/"))
                        .append(" | | | | | | | | | |").append(judged ? " | |" : "").append("\n");
                continue;
            }
            sb.append("| ").append(row.label()).append(" | ").append(fmt(row.rougeL())).append(" | ")
                    .append(fmt(row.bleu4())).append(" | ").append(fmt(row.styleScore())).append(" | ")
                    .append(fmt(row.contentRecall())).append(" | ").append(fmt(row.factualHallucination())).append(" | ").append(fmt(row.faithfulnessHallucination()))
                    .append(judged ? " | " + fmt(row.factualHallucinationJudge()) + " | "
                            + fmt(row.faithfulnessHallucinationJudge())
                            + (row.unjudged() > 0 ? " (" + row.unjudged() + " unjudged)" : "") : "")
                    .append(" | ").append(row.n()).append(row.failures() > 0 ? " (" + row.failures() + " failed)" : "")
                    .append(" | ").append(shots(row)).append(" | ").append(cut(row)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", row.seconds())).append(" |\n");
        }
        sb.append('\n');
    }

    /** Whether an LLM judge rated any of these rows (then the tables show its two columns). */
    static boolean judged(List<RowResult> rows) {
        return rows.stream().anyMatch(r -> r.factualHallucinationJudge() != null || r.unjudged() > 0);
    }

    /** The split the texts came from: test, unless the run said otherwise. */
    static String split(BenchResult r) {
        Object split = r.settings().get("split");
        return split == null ? "test" : split.toString();
    }

    /** What the shots column means (under the settings of the Markdown report and above the HTML tables). */
    static final String SHOTS_LEGEND = "shots: the few-shot exemplars each prompt was given (--shots; 0 for pack"
            + " rows), then in brackets the mean that fitted the model's context beside the plan (the styler drops"
            + " exemplars, the last first, before it cuts the plan); plan cut: prompts whose plan was cut to fit";

    /**
     * The configured shots and, in brackets, the mean that fitted ({@code 2 (fit 0.1)}); {@code 0} for rows given
     * none; a dash for rows without prompts. A report written before the setting was recorded shows the fit alone.
     */
    static String shots(RowResult row) {
        if (row.meanShots() == null && row.shots() == null) {
            return "–";
        }
        String fit = row.meanShots() == null ? "" : String.format(Locale.ROOT, "fit %.1f", row.meanShots());
        if (row.shots() == null) {
            return fit;
        }
        return row.shots() == 0 || fit.isEmpty() ? Integer.toString(row.shots()) : row.shots() + " (" + fit + ")";
    }

    /** Outputs whose prompt had its plan cut to fit the context; a dash for rows without prompts. */
    static String cut(RowResult row) {
        return row.meanShots() == null ? "–" : Integer.toString(row.truncations());
    }

    /** A grouped bar chart of one metric: styles on the axis, one bar a system that ran. */
    static boolean chart(BenchResult r, String metric, Path png) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (StyleTable t : r.styles()) {
            for (RowResult row : t.rows()) {
                Double v = switch (metric) {
                    case "rougeL" -> row.rougeL();
                    case "bleu4" -> row.bleu4();
                    case "contentRecall" -> row.contentRecall();
                    default -> row.styleScore();
                };
                if (row.available() && v != null) {
                    data.addValue(v, row.label(), t.style());
                }
            }
        }
        if (data.getRowCount() == 0) {
            return false;
        }
        JFreeChart chart = ChartFactory.createBarChart(metric + " by style", "style", metric + " (0–100)", data,
                PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 420);
        return true;
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String html(BenchResult r, List<String> charts) {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\">"
                + "<title>Penwright style-imitation benchmark</title><style>body{font-family:sans-serif;max-width:1100px;"
                + "margin:auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}"
                + "td.num{text-align:right}td.na{color:#888}pre{white-space:pre-wrap;font-size:90%}</style></head><body>");
        sb.append("<h1>Style-imitation benchmark</h1><p>").append(esc(String.valueOf(r.settings()))).append("</p>");
        for (String c : charts) {
            sb.append("<img alt=\"").append(esc(c)).append("\" src=\"").append(esc(c)).append("\">");
        }
        sb.append("<p>").append(esc(SHOTS_LEGEND)).append(".</p>");
        for (StyleTable t : r.styles()) {
            sb.append("<h2>").append(esc(t.style())).append("</h2><p>").append(t.n()).append(" of ")
                    .append(t.testSize()).append(' ').append(split(r)).append(" texts (").append(t.trainSize())
                    .append(" train), language ")
                    .append(esc(t.language())).append("</p>");
            htmlTable(sb, t.rows());
        }
        sb.append("<h2>Overall (mean over styles)</h2>");
        htmlTable(sb, r.overall());
        sb.append("<h2>Examples</h2>");
        for (StyleTable t : r.styles()) {
            for (StyleTable.Example e : t.examples()) {
                sb.append("<h3>").append(esc(t.style())).append(" / ").append(esc(e.id())).append("</h3><table><tr>")
                        .append("<th>original</th>");
                e.outputs().keySet().forEach(k -> sb.append("<th>").append(esc(k)).append("</th>"));
                sb.append("</tr><tr><td><pre>").append(esc(e.original())).append("</pre></td>");
                e.outputs().values().forEach(v -> sb.append("<td><pre>").append(esc(v)).append("</pre></td>"));
                sb.append("</tr></table>");
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    private static void htmlTable(StringBuilder sb, List<RowResult> rows) {
        sb.append("<table><tr><th>System</th><th>ROUGE-L</th><th>BLEU-4</th><th>Style</th><th>Content recall</th>"
                + "<th>Factual hall. %</th>"
                + "<th>Faithfulness hall. %</th>" + (judged(rows) ? "<th>Factual hall. % (LLM judge)</th>"
                + "<th>Faithfulness hall. % (LLM judge)</th>" : "") + "<th>n</th><th>shots</th><th>plan cut</th><th>s</th></tr>");
        for (RowResult row : rows) {
            sb.append("<tr><td>").append(esc(row.label())).append("</td>");
            if (!row.available()) {
                sb.append("<td class=\"na\" colspan=\"" + (judged(rows) ? 12 : 10) + "\">not available: ").append(esc(row.reason())).append("</td></tr>");
                continue;
            }
            List<Double> values = new ArrayList<>(java.util.Arrays.asList(row.rougeL(), row.bleu4(), row.styleScore(),
                    row.contentRecall(), row.factualHallucination(), row.faithfulnessHallucination()));
            if (judged(rows)) {
                values.add(row.factualHallucinationJudge());
                values.add(row.faithfulnessHallucinationJudge());
            }
            for (Double v : values) {
                sb.append("<td class=\"num\">").append(fmt(v)).append("</td>");
            }
            sb.append("<td class=\"num\">").append(row.n()).append(row.failures() > 0 ? " (" + row.failures()
                    + " failed)" : "").append("</td><td class=\"num\">").append(shots(row))
                    .append("</td><td class=\"num\">").append(cut(row)).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.1f", row.seconds())).append("</td></tr>");
        }
        sb.append("</table>");
    }
}
