package dev.penwright.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.NumberedItem;
import dev.penwright.api.plan.VerbatimBlock;

/** JSON request bodies to api records, strict about types so that a bad field is a 400 naming it. */
final class Requests {
    private Requests() {
    }

    /** The fields of an options object ({@code "options"} of /v1/generate). */
    static final Set<String> OPTION_FIELDS = Set.of("maxNewTokens", "temperature", "topK", "topP",
            "repetitionPenalty", "seed", "stop", "copyBias", "factGuard", "minCoverage");
    static final Set<String> MATERIAL_FIELDS = Set.of("brief", "facts", "sourceArticle", "language");
    /** A plan as /v1/plan answers it, so that a client can send it back as it came. */
    static final Set<String> PLAN_FIELDS = Set.of("title", "summary", "keyFacts", "neutralDraft", "language",
            "plannerId", "usage", "numberedItems", "verbatimBlocks");

    /**
     * Refuses an object with a field not in {@code known}: a misspelt field ({@code maxTokens} for
     * {@code maxNewTokens}) silently ignored would give the client something it did not ask for.
     *
     * @param where the object's name in the request ({@code "options"}), or empty for the body itself
     */
    static void onlyKnown(JsonNode node, String where, Set<String> known) {
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                unknown.add("\"" + (where.isEmpty() ? "" : where + ".") + name + "\"");
            }
        });
        if (!unknown.isEmpty()) {
            throw new ApiError(400, "unknown_field", "unknown field" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + (where.isEmpty() ? "" : " in \"" + where + "\"") + "; known: "
                    + String.join(", ", new TreeSet<>(known)));
        }
    }

    static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw ApiError.badRequest("\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    static List<String> texts(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isTextual()) {
            return List.of(v.asText());
        }
        if (!v.isArray()) {
            throw ApiError.badRequest("\"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw ApiError.badRequest("\"" + field + "\" must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    static Integer integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiError.badRequest("\"" + field + "\" must be an integer");
        }
        return v.asInt();
    }

    static Long longValue(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.badRequest("\"" + field + "\" must be an integer");
        }
        return v.asLong();
    }

    static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw ApiError.badRequest("\"" + field + "\" must be a number");
        }
        return v.asDouble();
    }

    /** A boolean that may be absent (null), unlike {@link #bool}, which reads absent as false. */
    static Boolean optionalBool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return bool(node, field);
    }

    /**
     * Options with the copy-aware decoding fields as a request names them (e.g. {@code copyBias} or
     * {@code copy_bias}); a value out of range is a 400 with the option's own message.
     */
    static GenerationOptions copyAware(GenerationOptions o, JsonNode node, String copyBias, String factGuard,
                                       String minCoverage) {
        try {
            return o.withCopyAware(number(node, copyBias), optionalBool(node, factGuard), number(node, minCoverage));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage().replace("copyBias", copyBias).replace("minCoverage", minCoverage));
        }
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest("\"" + field + "\" must be true or false");
        }
        return v.asBoolean();
    }

    static JsonNode object(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiError.badRequest("\"" + field + "\" must be an object");
        }
        return v;
    }

    /** {@code "material": "text"} (a source article) or {@code {brief, facts, sourceArticle, language}}. */
    static Material material(JsonNode body) {
        JsonNode v = body.get("material");
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return Material.ofArticle(v.asText());
        }
        if (!v.isObject()) {
            throw ApiError.badRequest("\"material\" must be a string or an object {brief, facts, sourceArticle,"
                    + " language}");
        }
        onlyKnown(v, "material", MATERIAL_FIELDS);
        return new Material(text(v, "brief", ""), texts(v, "facts"), text(v, "sourceArticle", ""),
                text(v, "language", ""));
    }

    static ContentPlan plan(JsonNode body) {
        JsonNode v = object(body, "plan");
        if (v == null) {
            return null;
        }
        onlyKnown(v, "plan", PLAN_FIELDS);
        ContentPlan plan = new ContentPlan(text(v, "title", ""), text(v, "summary", ""), texts(v, "keyFacts"),
                text(v, "neutralDraft", ""), text(v, "language", ""), text(v, "plannerId", "client"), null,
                numberedItems(v), verbatimBlocks(v));
        if (plan.title().isBlank() && plan.keyFacts().isEmpty() && plan.neutralDraft().isBlank()) {
            throw ApiError.badRequest("\"plan\" needs a title, keyFacts or a neutralDraft");
        }
        return plan;
    }

    /** A plan's {@code numberedItems}: {@code [{"number": 1, "text": "…"}, …]} as {@code /v1/plan} returns them. */
    static List<NumberedItem> numberedItems(JsonNode plan) {
        return objects(plan, "numberedItems", "{\"number\": an integer from 1, \"text\": a string}",
                item -> item.path("number").isIntegralNumber() && item.path("number").canConvertToInt()
                        && item.path("number").asInt() >= 1 && item.path("text").isTextual(),
                item -> new NumberedItem(item.get("number").asInt(), item.get("text").asText()));
    }

    /** A plan's {@code verbatimBlocks}: {@code [{"after": "…", "text": "…"}, …]} as {@code /v1/plan} returns them. */
    static List<VerbatimBlock> verbatimBlocks(JsonNode plan) {
        return objects(plan, "verbatimBlocks", "{\"after\": a string, \"text\": a string}",
                block -> block.path("text").isTextual() && (!block.has("after") || block.get("after").isTextual()),
                block -> new VerbatimBlock(block.path("after").asText(""), block.get("text").asText()));
    }

    /** {@code node.field}, an array of objects of the given shape each {@code valid}, read with {@code read}. */
    private static <T> List<T> objects(JsonNode node, String field, String shape,
                                       java.util.function.Predicate<JsonNode> valid,
                                       java.util.function.Function<JsonNode, T> read) {
        JsonNode array = node.get(field);
        if (array == null || array.isNull()) {
            return List.of();
        }
        String error = "\"" + field + "\" must be an array of " + shape;
        if (!array.isArray()) {
            throw ApiError.badRequest(error);
        }
        List<T> out = new ArrayList<>();
        for (JsonNode element : array) {
            if (!element.isObject() || !valid.test(element)) {
                throw ApiError.badRequest(error);
            }
            out.add(read.apply(element));
        }
        return out;
    }

    /** Sampling options, with {@code maxNewTokens} bounded by the server's limit. */
    static GenerationOptions options(JsonNode options, int maxTokens) {
        if (options == null) {
            return GenerationOptions.UNSET;
        }
        onlyKnown(options, "options", OPTION_FIELDS);
        Integer max = integer(options, "maxNewTokens");
        checkMax(max, maxTokens);
        return copyAware(new GenerationOptions(max, number(options, "temperature"), integer(options, "topK"),
                number(options, "topP"), number(options, "repetitionPenalty"), longValue(options, "seed"),
                options.has("stop") ? texts(options, "stop") : null), options, "copyBias", "factGuard", "minCoverage");
    }

    static void checkMax(Integer max, int maxTokens) {
        if (max != null && max > maxTokens) {
            throw new ApiError(400, "max_tokens_exceeded", "at most " + maxTokens + " new tokens may be asked for");
        }
        if (max != null && max < 1) {
            throw ApiError.badRequest("the number of new tokens must be at least 1");
        }
    }
}
