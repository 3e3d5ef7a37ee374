package dev.penwright.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.style.StylePack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which recipe stage a pack is, from its report.json as the trainer writes it: a {@code dpo} object means C-DPO was
 * run, a non-empty {@code selfImprovement} array means self-improvement rounds, an {@code sft} object alone plain S-SFT.
 */
public final class PackStages {
    public static final String SFT = "s-sft";
    public static final String SELF_IMPROVE = "s-sft-si";
    public static final String DPO = "c-dpo";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PackStages() {
    }

    /** The stage of a pack, or empty when report.json is missing or names no stage. */
    public static java.util.Optional<String> stage(Path styleDir) {
        Path report = styleDir.resolve("report.json");
        if (!Files.isRegularFile(report)) {
            return java.util.Optional.empty();
        }
        try {
            JsonNode r = JSON.readTree(report.toFile());
            if (r.hasNonNull("dpo") && r.get("dpo").isObject()) {
                return java.util.Optional.of(DPO);
            }
            if (r.path("selfImprovement").isArray() && !r.path("selfImprovement").isEmpty()) {
                return java.util.Optional.of(SELF_IMPROVE);
            }
            return r.hasNonNull("sft") ? java.util.Optional.of(SFT) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * For one stage, the pack of each corpus style (a pack serves a style when its id or name is the style's name);
     * the newest version wins when several fit.
     */
    public static Map<String, StylePack> byStyle(Collection<StylePack> packs, String stage) {
        Map<String, StylePack> out = new LinkedHashMap<>();
        for (StylePack p : packs) {
            if (!stage(p.directory()).map(stage::equals).orElse(false)) {
                continue;
            }
            for (String key : new String[]{p.descriptor().id(), p.descriptor().name()}) {
                if (key == null) {
                    continue;
                }
                out.merge(key, p, (a, b) -> a.version().compareTo(b.version()) >= 0 ? a : b);
            }
        }
        return out;
    }
}
