package dev.penwright.trainer.data;

import java.util.List;

/** A data file had bad lines and the run was asked to fail on them; the message lists them with line numbers. */
public class BadDataException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<BadLine> lines;

    public BadDataException(List<BadLine> lines) {
        super(describe(lines));
        this.lines = List.copyOf(lines);
    }

    public BadDataException(String message) {
        super(message);
        this.lines = List.of();
    }

    public List<BadLine> lines() {
        return lines;
    }

    private static String describe(List<BadLine> lines) {
        StringBuilder sb = new StringBuilder(lines.size() + " bad line(s):");
        lines.stream().limit(20).forEach(l -> sb.append("\n  ").append(l));
        if (lines.size() > 20) {
            sb.append("\n  … and ").append(lines.size() - 20).append(" more");
        }
        return sb.toString();
    }
}
