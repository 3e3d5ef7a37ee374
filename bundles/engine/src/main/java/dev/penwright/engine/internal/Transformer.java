package dev.penwright.engine.internal;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.ModelConfig;

/**
 * The Llama/Mistral/Qwen2 decoder on DJL NDArrays, engine-neutral (no PyTorch-specific calls) for F32 weights, so
 * that it runs on any DJL engine and under a gradient collector; half-precision weights go through PyTorch's own
 * operations ({@link HalfOps}). Each layer runs in its own {@link NDScope}, which frees its
 * temporaries as soon as the layer is done: memory stays bounded by one layer's activations plus the KV cache.
 *
 * <p>A decode step is bound by per-operation overhead more than by arithmetic, so the code keeps operations few:
 * q/k/v and gate/up are fused matmuls; in a one-token step the rotary embedding (HF's rotate-half convention) of
 * queries and keys together is one matmul by a per-row [headDim, headDim] rotation matrix; keys are cached
 * transposed, written straight from that product, and one-token steps use reshapes where prefill needs transposes.
 * The 1/sqrt(headDim) attention scale is split evenly between queries and keys (headDim^-1/4 each, folded into
 * the rotary tables), so one rotation serves both; the cache therefore holds keys times headDim^-1/4.
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray embed;
    private final NDArray lmHead;
    private final NDArray finalNorm;
    private final LayerWeights[] layers;
    /** The operations on half-precision weights, or null when every weight is F32. */
    private final HalfOps half;
    /** Rotary tables and attention masks. */
    private final Positions positions;
    /** RMSNorm's exponent and epsilon as 0-d arrays that live with the model (see rmsNorm). */
    private final NDArray minusHalf;
    private final NDArray eps;

    public Transformer(ModelConfig config, NDManager manager, NDArray embed, NDArray lmHead, NDArray finalNorm,
                       LayerWeights[] layers, HalfOps half) {
        this.config = config;
        this.half = half;
        this.manager = manager;
        this.minusHalf = manager.create(-0.5f);
        NDScope.unregister(minusHalf);
        this.eps = manager.create((float) config.rmsNormEps());
        NDScope.unregister(eps);
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
        this.positions = new Positions(config, manager);
    }

    /**
     * Loads HF tensor names, fusing q/k/v and gate/up as it goes. With {@code keepHalf}, a checkpoint stored in F16
     * or BF16 (judged by its embedding) keeps its matrices in that dtype, two bytes a parameter (see {@link HalfOps});
     * norms and biases are F32 either way. Without it, or for an F32 checkpoint, every weight is F32.
     */
    public static Transformer load(ModelConfig c, Checkpoint ck, NDManager manager, boolean keepHalf) throws IOException {
        String stored = ck.dtypeOf("model.embed_tokens.weight");
        int halfType = !keepHalf ? 0 : "BF16".equals(stored) ? HalfOps.BFLOAT16 : "F16".equals(stored) ? HalfOps.FLOAT16 : 0;
        HalfOps half = halfType == 0 ? null : new HalfOps(manager);
        long d = c.hiddenSize();
        long q = c.queryWidth();
        long kv = c.kvWidth();
        long ffn = c.intermediateSize();
        Matrices m = (cols, names, rows) -> half != null ? ck.loadHalf(manager, half, halfType, cols, names, rows)
                : f32(ck, manager, cols, names, rows);
        // Matrices only multiplied (not the embedding, which is gathered from) go into oneDNN's layout where it helps.
        Matrices packed = half == null ? m : (cols, names, rows) -> half.pack(m.load(cols, names, rows));
        NDArray embed = m.load(d, new String[] {"model.embed_tokens.weight"}, new long[] {c.vocabSize()});
        NDArray lmHead;
        if (c.tieWordEmbeddings() && !ck.has("lm_head.weight")) {
            lmHead = embed;
        } else {
            lmHead = packed.load(d, new String[] {"lm_head.weight"}, new long[] {c.vocabSize()});
        }
        NDArray norm = ck.load(manager, "model.norm.weight", d);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            NDArray qkv = packed.load(d, new String[] {p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                    p + "self_attn.v_proj.weight"}, new long[] {q, kv, kv});
            NDArray bqkv = null;
            if (c.attentionBias()) {
                bqkv = f32(ck, manager, 1, new String[] {p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias",
                        p + "self_attn.v_proj.bias"}, new long[] {q, kv, kv});
            }
            NDArray o = packed.load(q, new String[] {p + "self_attn.o_proj.weight"}, new long[] {d});
            NDArray gateUp = packed.load(d, new String[] {p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"},
                    new long[] {ffn, ffn});
            NDArray down = packed.load(ffn, new String[] {p + "mlp.down_proj.weight"}, new long[] {d});
            layers[l] = new LayerWeights(ck.load(manager, p + "input_layernorm.weight", d), qkv, bqkv, o,
                    ck.load(manager, p + "post_attention_layernorm.weight", d), gateUp, down);
        }
        return new Transformer(c, manager, embed, lmHead, norm, layers, half);
    }

    /** Matrices of {@code cols} columns stacked by rows: [rows[0] + rows[1] + …, cols]. */
    private interface Matrices {
        NDArray load(long cols, String[] names, long[] rows) throws IOException;
    }

    /** F32 matrices (or, with cols 1, vectors) stacked by rows, each checked against its shape. */
    private static NDArray f32(Checkpoint ck, NDManager manager, long cols, String[] names, long[] rows) throws IOException {
        NDList parts = new NDList();
        for (int i = 0; i < names.length; i++) {
            parts.add(cols == 1 ? ck.load(manager, names[i], rows[i]) : ck.load(manager, names[i], rows[i], cols));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray out = NDArrays.concat(parts, 0);
        parts.close();
        return out;
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public LayerWeights layer(int i) {
        return layers[i];
    }

    public NDArray embedding() {
        return embed;
    }

    public NDArray lmHead() {
        return lmHead;
    }

    public NDArray finalNorm() {
        return finalNorm;
    }

    /**
     * Runs the decoder over {@code ids} ([B][T], same T for every row) and returns the final-normed hidden states
     * [B, T, d], registered in the caller's scope.
     *
     * @param starts the position of each row's first token (its cached length)
     * @param cache  null for a plain causal pass over just these tokens (scoring, training); otherwise keys and values
     *               are written to slots {@code slot0 .. slot0+B-1} at {@code starts} and attention reads the cache
     * @param lora   the adapters of these rows
     */
    public NDArray forward(long[][] ids, int[] starts, KvCache cache, int slot0, LoraBatch lora) {
        int b = ids.length;
        int t = ids[0].length;
        int maxEnd = 0;
        for (int r = 0; r < b; r++) {
            if (ids[r].length != t) {
                throw new IllegalArgumentException("rows of one forward pass must have the same length");
            }
            int end = starts[r] + t;
            if (end > config.maxPositions()) {
                throw new IllegalArgumentException("sequence of " + end + " tokens exceeds max_position_embeddings "
                        + config.maxPositions());
            }
            maxEnd = Math.max(maxEnd, end);
        }
        int keyLen = cache == null ? t : maxEnd;
        if (cache != null) {
            cache.ensureCapacity(maxEnd);
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            long[] flat = new long[b * t];
            for (int r = 0; r < b; r++) {
                System.arraycopy(ids[r], 0, flat, r * t, t);
            }
            NDArray idx = manager.create(flat);
            NDArray[] rope = positions.ropeTables(starts, b, t);
            if (cache == null) {
                // A training pass's backward (the embedding's) reads the ids after this scope has closed them.
                // DJL's PyTorch arrays made from Java data point into a direct buffer that the GC frees once the
                // array is closed, so the backward would read freed memory; a copy made by torch owns its memory.
                idx = torchOwned(idx);
            }
            NDArray x = (isHalf(embed) ? half.embed(embed, idx) : embed.get(new NDIndex("{}", idx)))
                    .reshape(b, t, config.hiddenSize());
            NDArray[] masks = positions.masks(starts, b, t, keyLen, cache != null);
            Step step = null;
            if (cache != null) {
                step = new Step(slot0, starts, keyLen, t == 1 ? decodeIndices(slot0, starts) : null,
                        cache.slots() == b && slot0 == 0);
            }
            for (int l = 0; l < layers.length; l++) {
                x = layer(l, x, rope, masks[config.slidingLayer(l) ? 1 : 0], cache, step, lora);
            }
            out = rmsNorm(x, finalNorm);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * What every layer of one cached pass shares, built once a pass: where each row writes (for a one-token step,
     * the two scatter indices of keys and values) and which cache region attention reads.
     */
    private record Step(int slot0, int[] starts, int keyLen, NDIndex[] put, NDIndex keyRegion, NDIndex valueRegion) {
        Step(int slot0, int[] starts, int keyLen, NDIndex[] put, boolean allSlots) {
            // With every slot in the pass, only the time axis is cut.
            this(slot0, starts, keyLen, put,
                    allSlots ? new NDIndex().addAllDim(3).addSliceDim(0, keyLen)
                            : new NDIndex().addSliceDim(slot0, slot0 + starts.length).addAllDim(2).addSliceDim(0, keyLen),
                    allSlots ? new NDIndex().addAllDim(2).addSliceDim(0, keyLen)
                            : new NDIndex().addSliceDim(slot0, slot0 + starts.length).addAllDim().addSliceDim(0, keyLen));
        }
    }

    /** Scatter indices of a one-token step: row r writes slot slot0 + r at position starts[r]. */
    private NDIndex[] decodeIndices(int slot0, int[] starts) {
        int b = starts.length;
        long[] rr = new long[b];
        long[] pp = new long[b];
        for (int r = 0; r < b; r++) {
            rr[r] = slot0 + r;
            pp[r] = starts[r];
        }
        NDArray rows = manager.create(rr);
        NDArray positions = manager.create(pp);
        // Keys [slots, kv, hd, cap] take [B, kv, hd] at (row, :, :, position); values [slots, kv, cap, hd] take
        // [B, kv, hd] at (row, :, position, :): the advanced indices are not adjacent, so their dimension comes first.
        return new NDIndex[] {new NDIndex("{}, :, :, {}", rows, positions), new NDIndex("{}, :, {}", rows, positions)};
    }

    /**
     * A causal pass over {@code ids} ([B][T], no cache) whose layers the caller runs one at a time: what a training
     * step with activation recomputation needs (run every layer without a graph keeping only its input, then run each
     * again with a graph just before its backward). Its arrays live in the caller's scope.
     */
    public LayerPass layerPass(long[][] ids) {
        int b = ids.length;
        int t = ids[0].length;
        if (t > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds max_position_embeddings "
                    + config.maxPositions());
        }
        long[] flat = new long[b * t];
        for (int r = 0; r < b; r++) {
            if (ids[r].length != t) {
                throw new IllegalArgumentException("rows of one forward pass must have the same length");
            }
            System.arraycopy(ids[r], 0, flat, r * t, t);
        }
        NDArray idx = torchOwned(manager.create(flat));
        NDArray x = (isHalf(embed) ? half.embed(embed, idx) : embed.get(new NDIndex("{}", idx)))
                .reshape(b, t, config.hiddenSize());
        int[] starts = new int[b];
        return new LayerPass(x, positions.ropeTables(starts, b, t), positions.masks(starts, b, t, t, false));
    }

    /** See {@link #layerPass}: the embedded input, the pass's rotary tables and masks, and its layers one by one. */
    public final class LayerPass {
        private final NDArray embedded;
        private final NDArray[] rope;
        private final NDArray[] masks;

        private LayerPass(NDArray embedded, NDArray[] rope, NDArray[] masks) {
            this.embedded = embedded;
            this.rope = rope;
            this.masks = masks;
        }

        /** The input of layer 0, [B, T, d]. */
        public NDArray embedded() {
            return embedded;
        }

        public int layers() {
            return layers.length;
        }

        /** Layer {@code l} over {@code x} (its input), in the caller's scope. */
        public NDArray layer(int l, NDArray x, LoraBatch lora) {
            return Transformer.this.layer(l, x, rope, masks[config.slidingLayer(l) ? 1 : 0], null, null, lora);
        }

        /**
         * Logits [.., V] of the last layer's output [.., d] (final norm, then the output head). A half-precision head
         * is widened to F32 for the call even where inference keeps it narrow (its F32 copy is large): a training
         * slice multiplies hundreds of rows by it, and its backward more.
         */
        public NDArray logits(NDArray x) {
            NDArray normed = rmsNorm(x, finalNorm);
            return isHalf(lmHead) ? half.linearF32(normed, lmHead) : Transformer.this.logits(normed);
        }
    }

    private static NDArray torchOwned(NDArray javaBacked) {
        NDArray copy = javaBacked.duplicate();
        javaBacked.close();
        return copy;
    }

    /** Logits [.., V] of hidden states [.., d]. */
    public NDArray logits(NDArray hidden) {
        return linear(hidden, lmHead, null);
    }

    private NDArray layer(int l, NDArray x, NDArray[] rope, NDArray mask, KvCache cache, Step step, LoraBatch lora) {
        ModelConfig c = config;
        LayerWeights w = layers[l];
        int b = (int) x.getShape().get(0);
        int t = (int) x.getShape().get(1);
        int nh = c.numHeads();
        int nkv = c.numKvHeads();
        int g = nh / nkv;
        int hd = c.headDim();
        int keyLen = step == null ? t : step.keyLen();
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray h = rmsNorm(x, w.inputNorm());
            NDArray qkv = adapt(linear(h, w.wqkv(), w.bqkv()), h, lora, l, LoraGroup.QKV);
            NDArray q;
            NDArray keysT = null; // [B, nkv, hd, S]
            NDArray values = null; // [B, nkv, S, hd]
            if (t == 1) {
                // One token: queries and keys rotate together in one matmul ([B, nh + nkv, hd] by [B, hd, hd]), and
                // the head/time transposes are plain reshapes.
                NDList parts = qkv.reshape(b, nh + 2 * nkv, hd).split(new long[] {nh + nkv}, 1);
                NDList qk = parts.get(0).matMul(rope[0]).split(new long[] {nh}, 1);
                q = qk.get(0).reshape(b, nkv, g, hd);
                NDArray k = qk.get(1); // [B, nkv, hd]
                NDArray v = parts.get(1);
                if (cache == null) {
                    keysT = k.reshape(b, nkv, hd, 1);
                    values = v.reshape(b, nkv, 1, hd);
                } else {
                    cache.keys(l).set(step.put()[0], k);
                    cache.values(l).set(step.put()[1], v);
                }
            } else {
                NDList parts = qkv.reshape(b, t, nh + 2 * nkv, hd).split(new long[] {nh, nh + nkv}, 2);
                q = rotary(parts.get(0), rope);
                q = q.reshape(b, t, nkv, g, hd).transpose(0, 2, 3, 1, 4).reshape(b, nkv, g * t, hd);
                keysT = rotary(parts.get(1), rope).transpose(0, 2, 3, 1);
                values = parts.get(2).transpose(0, 2, 1, 3);
                if (cache != null) {
                    writeCache(cache, l, keysT, values, step.slot0(), step.starts(), b, t);
                }
            }
            if (cache != null) {
                keysT = cache.keys(l).get(step.keyRegion());
                values = cache.values(l).get(step.valueRegion());
            }
            NDArray scores = q.matMul(keysT);
            NDArray probs;
            if (t == 1) {
                probs = (mask == null ? scores : scores.add(mask)).softmax(3);
            } else {
                probs = scores.reshape(b, nkv, g, t, keyLen).add(mask).softmax(4).reshape(b, nkv, g * t, keyLen);
            }
            NDArray att = probs.matMul(values);
            att = t == 1 ? att.reshape(b, 1, nh * hd)
                    : att.reshape(b, nkv, g, t, hd).transpose(0, 3, 1, 2, 4).reshape(b, t, nh * hd);
            NDArray o = adapt(linear(att, w.wo(), null), att, lora, l, LoraGroup.O);
            NDArray x2 = x.add(o);
            NDArray h2 = rmsNorm(x2, w.postNorm());
            NDArray gu = adapt(linear(h2, w.wGateUp(), null), h2, lora, l, LoraGroup.GATE_UP);
            NDList halves = gu.split(2, 2);
            NDArray gate = halves.get(0);
            NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(halves.get(1));
            NDArray down = adapt(linear(act, w.wDown(), null), act, lora, l, LoraGroup.DOWN);
            out = x2.add(down);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** Keys are cached transposed ([slots, kv, hd, cap]) so attention multiplies by them without a transpose. */
    private static void writeCache(KvCache cache, int layer, NDArray kt, NDArray v, int slot0, int[] starts,
                                   int b, int t) {
        for (int r = 0; r < b; r++) {
            NDIndex rowSel = new NDIndex().addSliceDim(r, r + 1);
            cache.keys(layer).set(new NDIndex().addSliceDim(slot0 + r, slot0 + r + 1).addAllDim().addAllDim()
                    .addSliceDim(starts[r], starts[r] + t), b == 1 ? kt : kt.get(rowSel));
            cache.values(layer).set(new NDIndex().addSliceDim(slot0 + r, slot0 + r + 1).addAllDim()
                    .addSliceDim(starts[r], starts[r] + t), b == 1 ? v : v.get(rowSel));
        }
    }

    private NDArray adapt(NDArray y, NDArray h, LoraBatch lora, int layer, LoraGroup group) {
        NDArray at = lora.at(layer, group);
        if (at == null) {
            return y;
        }
        if (HalfOps.isPacked(at)) {
            // Several half-precision adapters side by side (RowAdapters.sideBySide), multiplied like base weights.
            return y.add(half.linear(half.linear(h, at).mul(lora.mask(layer, group)), lora.bt(layer, group)));
        }
        // An adapter loaded for a half-precision model is held in its dtype and widened per product: the rank
        // activations and the sum stay float32, as with an F32 adapter.
        boolean halfAdapter = isHalf(at);
        NDArray low = halfAdapter ? half.matMulF32(h, at) : lora.low(layer, group, h, at);
        NDArray mask = lora.mask(layer, group);
        if (mask != null) {
            low = low.mul(mask);
        }
        NDArray bt = lora.bt(layer, group);
        return y.add(halfAdapter ? half.matMulF32(low, bt) : low.matMul(bt));
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        // pow(NDArray), not pow(-0.5f): DJL turns a Number into a Java-backed scalar and closes it at once, and the
        // backward of pow reads the exponent (freed memory under GC); this one lives as long as the model.
        // eps as a model-lifetime array too: a Number would become a fresh Java-backed scalar every call.
        NDArray inv = x.square().mean(new int[] {-1}, true).add(eps).pow(minusHalf);
        return x.mul(inv).mul(weight);
    }

    private NDArray linear(NDArray x, NDArray w, NDArray bias) {
        if (isHalf(w)) {
            NDArray y = half.linear(x, w);
            return bias == null ? y : y.add(bias);
        }
        return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
    }

    /** A weight held in half precision (a merged adapter turns its matrices back to F32). */
    public boolean isHalf(NDArray w) {
        return half != null && w.getDataType() != DataType.FLOAT32;
    }

    /** The operations on half-precision weights, or null when every weight is F32. */
    public HalfOps half() {
        return half;
    }

    /** A weight in the dtype the model holds its checkpoint in when that is half precision (its embedding), or null. */
    public NDArray halfReference() {
        return isHalf(embed) ? embed : null;
    }

    /**
     * The rotary embedding (times headDim^-1/4) of queries or keys [B, T, heads, hd] of a pass longer than one token:
     * x·cos + rotate_half(x)·sin, element-wise; the matrix form of one-token steps would be B·T tiny matmuls whose
     * [B, T, hd, hd] tables and their gradients dominate a training step.
     */
    private static NDArray rotary(NDArray x, NDArray[] rope) {
        long half = x.getShape().get(3) / 2;
        NDList halves = x.split(new long[] {half}, 3);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(rope[1]).add(rotated.mul(rope[2]));
    }

    /** Frees the weights (the caller's manager owns them; this closes the manager). */
    @Override
    public void close() {
        manager.close();
    }

    /** A helper kept here so the loading code reads in one place. */
    static final class NDArrays {
        static NDArray concat(NDList list, int axis) {
            return ai.djl.ndarray.NDArrays.concat(list, axis);
        }
    }

    public DataType dtype() {
        return embed.getDataType();
    }
}
