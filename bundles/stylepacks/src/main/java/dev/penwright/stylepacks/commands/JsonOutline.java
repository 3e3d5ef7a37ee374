package dev.penwright.stylepacks.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A JSON document as indented {@code key: value} lines a person reads: numbers rounded, a list of numbers (a loss
 * curve) as its length, first, last and lowest value, a long text cut to one line. {@code --json} gives the document
 * itself.
 */
final class JsonOutline {
    private static final int TEXT_WIDTH = 90;

    private JsonOutline() {
    }

    static List<String> lines(JsonNode node) {
        List<String> lines = new ArrayList<>();
        append(lines, node, "");
        return lines;
    }

    private static void append(List<String> lines, JsonNode node, String indent) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            String key = indent + field.getKey() + ":";
            if (value.isObject()) {
                lines.add(key);
                append(lines, value, indent + "  ");
            } else if (value.isArray() && !value.isEmpty() && allNumbers(value)) {
                lines.add(key + " " + numbers(value));
            } else if (value.isArray() && !value.isEmpty() && value.get(0).isObject()) {
                lines.add(key);
                for (JsonNode item : value) {
                    lines.add(indent + "  -");
                    append(lines, item, indent + "    ");
                }
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(scalar(item)));
                lines.add(key + " " + oneLine("[" + String.join(", ", items) + "]"));
            } else {
                lines.add(key + " " + scalar(value));
            }
        }
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isNumber() && !(item.isArray() && allNumbers(item))) {
                return false;
            }
        }
        return true;
    }

    /** A curve such as {@code [[step, loss], …]} or {@code [loss, …]}: the last coordinate is the value. */
    private static String numbers(JsonNode array) {
        double first = lastOf(array.get(0));
        double last = lastOf(array.get(array.size() - 1));
        double lowest = Double.MAX_VALUE;
        for (JsonNode item : array) {
            lowest = Math.min(lowest, lastOf(item));
        }
        if (array.size() == 1) {
            return round(first);
        }
        return String.format(Locale.ROOT, "%d values, first %s, last %s, lowest %s", array.size(), round(first),
                round(last), round(lowest));
    }

    private static double lastOf(JsonNode item) {
        return item.isArray() ? item.get(item.size() - 1).asDouble() : item.asDouble();
    }

    private static String scalar(JsonNode value) {
        if (value.isFloatingPointNumber()) {
            return round(value.asDouble());
        }
        return value.isTextual() ? oneLine(value.asText()) : value.toString();
    }

    private static String round(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.4g", value).replaceFirst("(\\.\\d*?)0+$", "$1").replaceFirst("\\.$", "");
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= TEXT_WIDTH ? line : line.substring(0, TEXT_WIDTH - 1) + "…";
    }
}
