package dev.penwright.bench;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.Shot;
import dev.penwright.api.style.StylePack;
import dev.penwright.api.style.StyleRequest;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.Styler;
import dev.penwright.trainer.data.CorpusText;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Rows 3 to 6: the small model through a Styler, with no pack (the base model, given few-shot exemplars) or with the
 * style's pack of one recipe stage. The Styler fits the prompt to the model's context (shots dropped, then the draft
 * cut), and the row counts how often it had to.
 */
public final class StylerSystem implements BenchSystem {
    private final String key;
    private final String label;
    private final Styler styler;
    private final Map<String, StylePack> packsByStyle;
    private final boolean withPack;
    private final String missingReason;
    private final long timeoutSeconds;
    private final FewShots fewShots;
    private final GenerationOptions options;
    private final boolean shipped;

    /**
     * @param packsByStyle  the pack to use for each style (ignored when {@code withPack} is false)
     * @param missingReason why a style without a pack cannot run this row
     */
    public StylerSystem(String key, String label, Styler styler, Map<String, StylePack> packsByStyle, boolean withPack,
                        String missingReason, long timeoutSeconds) {
        this(key, label, styler, packsByStyle, withPack, missingReason, timeoutSeconds, null);
    }

    /** @param fewShots exemplars put in each prompt, or null for none */
    public StylerSystem(String key, String label, Styler styler, Map<String, StylePack> packsByStyle, boolean withPack,
                        String missingReason, long timeoutSeconds, FewShots fewShots) {
        this(key, label, styler, packsByStyle, withPack, missingReason, timeoutSeconds, fewShots,
                GenerationOptions.UNSET, false);
    }

    /**
     * @param options what the row sets over each pack's defaults ({@link GenerationOptions#UNSET}: the pack's own)
     * @param shipped whether the row is Penwright as shipped (the packs' final stage with their own options)
     */
    public StylerSystem(String key, String label, Styler styler, Map<String, StylePack> packsByStyle, boolean withPack,
                        String missingReason, long timeoutSeconds, FewShots fewShots, GenerationOptions options,
                        boolean shipped) {
        this.key = key;
        this.label = label;
        this.styler = styler;
        this.packsByStyle = Map.copyOf(packsByStyle);
        this.withPack = withPack;
        this.missingReason = missingReason;
        this.timeoutSeconds = timeoutSeconds;
        this.fewShots = fewShots;
        this.options = options == null ? GenerationOptions.UNSET : options;
        this.shipped = shipped;
    }

    @Override
    public boolean shipped() {
        return shipped;
    }

    @Override
    public Integer shots() {
        return fewShots == null ? 0 : fewShots.k();
    }

    public String key() { return key; }
    public String label() { return label; }

    public Optional<String> unavailableReason(String style) {
        if (styler == null) {
            return Optional.of("no Styler service (the engine bundle is not running)");
        }
        if (withPack && !packsByStyle.containsKey(style)) {
            return Optional.of(missingReason);
        }
        return Optional.empty();
    }

    @Override
    public void prepare(String style, List<CorpusText> train) {
        if (fewShots != null) {
            fewShots.prepare(style, train);
        }
    }

    /** The pack used for a style, for the report's signatures. */
    public Optional<StylePack> pack(String style) {
        return withPack ? Optional.ofNullable(packsByStyle.get(style)) : Optional.empty();
    }

    public String generate(String style, BenchItem item) throws Exception {
        return render(style, item).text();
    }

    @Override
    public Output render(String style, BenchItem item) throws Exception {
        StylePack pack = withPack ? packsByStyle.get(style) : null;
        List<Shot> shots = fewShots == null ? List.of() : fewShots.shots(style, item);
        StyledText out = styler.style(new StyleRequest(item.plan(), pack, options, shots), null)
                .toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
        return new Output(out.text(), out.shotsUsed(), out.planTruncated());
    }
}
