package dev.penwright.engine.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The readable form of a {@code bench engine} result: engine against PyTorch as a table, the rest as key: value. */
final class BenchTable {
    private BenchTable() {
    }

    private static final List<String[]> ROWS = List.of(
            new String[] {"decode_batch1", "decode tok/s, batch 1"},
            new String[] {"decode_batch8", "decode tok/s, batch 8"},
            new String[] {"decode_batch8_8_adapters", "decode tok/s, batch 8, 8 different adapters"},
            new String[] {"decode_batch8_1_adapter", "decode tok/s, batch 8, one adapter"},
            new String[] {"prefill", "prefill tok/s"});

    /** Keys shown in the table (or too long for a line) rather than printed as they are. */
    private static final Set<String> IN_TABLE = Set.of("engine", "pytorch", "ratio_engine_to_pytorch", "rounds");

    static void print(Map<String, Object> r, PrintWriter out) {
        if (r.get("engine") instanceof Map<?, ?> engine) {
            Map<?, ?> py = r.get("pytorch") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> ratio = r.get("ratio_engine_to_pytorch") instanceof Map<?, ?> m ? m : Map.of();
            String format = "%-46s %12s %12s %10s%n";
            out.printf(format, "figure (median of rounds)", "engine", "PyTorch", "ratio");
            for (String[] row : ROWS) {
                out.printf(format, row[1], text(engine.get(row[0] + "_tokens_per_s")),
                        text(py.get(row[0] + "_tokens_per_s")), text(ratio.get(row[0])));
            }
            out.printf(format, "peak RSS, MB", text(engine.get("peak_rss_mb")), text(py.get("peak_rss_mb")),
                    text(ratio.get("peak_rss")));
            if (!py.isEmpty()) {
                out.println("PyTorch: " + py.get("torch") + ", " + py.get("python") + ", weights " + py.get("weights")
                        + ", " + py.get("intra_op_threads") + " threads; BLAS: " + py.get("blas"));
            } else if (r.get("pytorch") != null) {
                out.println("pytorch: " + r.get("pytorch"));
            }
            out.println("rounds: " + r.get("rounds"));
        }
        r.forEach((k, v) -> {
            if (!IN_TABLE.contains(k) && !(k.equals("pytorch") && !(v instanceof Map))) {
                out.println(k + ": " + v);
            }
        });
    }

    private static String text(Object v) {
        return v == null ? "—" : v.toString();
    }
}
