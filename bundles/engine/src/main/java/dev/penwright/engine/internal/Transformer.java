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
 * The Llama/Mistral/Qwen2 decoder on DJL NDArrays, engine-neutral (no PyTorch-specific calls), so that it runs on any
 * DJL engine and under a gradient collector. Each layer runs in its own {@link NDScope}, which frees its
 * temporaries as soon as the layer is done: memory stays bounded by one layer's activations plus the KV cache.
 *
 * <p>A decode step is bound by per-operation overhead more than by arithmetic, so the code keeps operations few:
 * q/k/v and gate/up are fused matmuls, the rotary embedding (HF's rotate-half convention) is one matmul by a
 * per-token [headDim, headDim] rotation matrix that also carries the 1/sqrt(headDim) attention scale for queries,
 * keys are cached transposed, and one-token steps use reshapes where prefill needs transposes.
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray embed;
    private final NDArray lmHead;
    private final NDArray finalNorm;
    private final LayerWeights[] layers;
    private final float[] invFreq;
    // Built once: per-position cos/sin rows, the identity and rotate-half matrices, and key indices for masks.
    // Per-step tables are then gathered and combined on the device: creating large arrays from Java each step is
    // far slower than a few tensor operations.
    private final NDArray cosTable;
    private final NDArray sinTable;
    private final NDArray identity;
    private final NDArray rotate;
    private final NDArray keyIndex;
    /** RMSNorm's exponent as a 0-d array that lives with the model (see rmsNorm). */
    private final NDArray minusHalf;

    public Transformer(ModelConfig config, NDManager manager, NDArray embed, NDArray lmHead, NDArray finalNorm,
                       LayerWeights[] layers) {
        this.config = config;
        this.manager = manager;
        this.minusHalf = manager.create(-0.5f);
        NDScope.unregister(minusHalf);
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
        int hd = config.headDim();
        int half = hd / 2;
        // As HF computes it: in float32, base^(2i/d).
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / hd;
            invFreq[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), exponent));
        }
        int maxPos = config.maxPositions();
        float[] cos = new float[maxPos * hd];
        float[] sin = new float[maxPos * hd];
        for (int p = 0; p < maxPos; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * invFreq[j];
                cos[p * hd + j] = cos[p * hd + j + half] = (float) Math.cos(angle);
                sin[p * hd + j] = sin[p * hd + j + half] = (float) Math.sin(angle);
            }
        }
        float[] eye = new float[hd * hd];
        float[] rot = new float[hd * hd];
        for (int j = 0; j < half; j++) {
            eye[j * hd + j] = 1f;
            eye[(j + half) * hd + j + half] = 1f;
            rot[(j + half) * hd + j] = -1f; // (x·R)[j] = -x[j + half]
            rot[j * hd + j + half] = 1f;    // (x·R)[j + half] = x[j]
        }
        float[] keys = new float[maxPos];
        for (int p = 0; p < maxPos; p++) {
            keys[p] = p;
        }
        this.cosTable = manager.create(cos, new Shape(maxPos, hd));
        this.sinTable = manager.create(sin, new Shape(maxPos, hd));
        this.identity = manager.create(eye, new Shape(hd, hd));
        this.rotate = manager.create(rot, new Shape(hd, hd));
        this.keyIndex = manager.create(keys, new Shape(maxPos));
    }

    /** Loads HF tensor names, fusing q/k/v and gate/up as it goes. */
    public static Transformer load(ModelConfig c, Checkpoint ck, NDManager manager) throws IOException {
        long d = c.hiddenSize();
        NDArray embed = ck.load(manager, "model.embed_tokens.weight", c.vocabSize(), d);
        NDArray lmHead;
        if (c.tieWordEmbeddings() && !ck.has("lm_head.weight")) {
            lmHead = embed;
        } else {
            lmHead = ck.load(manager, "lm_head.weight", c.vocabSize(), d);
        }
        NDArray norm = ck.load(manager, "model.norm.weight", d);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            NDArray q = ck.load(manager, p + "self_attn.q_proj.weight", c.queryWidth(), d);
            NDArray k = ck.load(manager, p + "self_attn.k_proj.weight", c.kvWidth(), d);
            NDArray v = ck.load(manager, p + "self_attn.v_proj.weight", c.kvWidth(), d);
            NDArray qkv = NDArrays.concat(new NDList(q, k, v), 0);
            NDArray bqkv = null;
            if (c.attentionBias()) {
                NDArray bq = ck.load(manager, p + "self_attn.q_proj.bias", c.queryWidth());
                NDArray bk = ck.load(manager, p + "self_attn.k_proj.bias", c.kvWidth());
                NDArray bv = ck.load(manager, p + "self_attn.v_proj.bias", c.kvWidth());
                bqkv = NDArrays.concat(new NDList(bq, bk, bv), 0);
                bq.close();
                bk.close();
                bv.close();
            }
            q.close();
            k.close();
            v.close();
            NDArray o = ck.load(manager, p + "self_attn.o_proj.weight", d, c.queryWidth());
            NDArray gate = ck.load(manager, p + "mlp.gate_proj.weight", c.intermediateSize(), d);
            NDArray up = ck.load(manager, p + "mlp.up_proj.weight", c.intermediateSize(), d);
            NDArray gateUp = NDArrays.concat(new NDList(gate, up), 0);
            gate.close();
            up.close();
            NDArray down = ck.load(manager, p + "mlp.down_proj.weight", d, c.intermediateSize());
            layers[l] = new LayerWeights(ck.load(manager, p + "input_layernorm.weight", d), qkv, bqkv, o,
                    ck.load(manager, p + "post_attention_layernorm.weight", d), gateUp, down);
        }
        return new Transformer(c, manager, embed, lmHead, norm, layers);
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
            NDArray[] rope = ropeTables(starts, b, t);
            if (cache == null) {
                // A training pass's backward (the embedding's) reads the ids after this scope has closed them.
                // DJL's PyTorch arrays made from Java data point into a direct buffer that the GC frees once the
                // array is closed, so the backward would read freed memory; a copy made by torch owns its memory.
                idx = torchOwned(idx);
            }
            NDArray x = embed.get(new NDIndex("{}", idx)).reshape(b, t, config.hiddenSize());
            NDArray mask = attentionMask(starts, b, t, keyLen, cache == null);
            NDArray rows = null;
            NDArray positions = null;
            if (cache != null && t == 1) {
                long[] rr = new long[b];
                long[] pp = new long[b];
                for (int r = 0; r < b; r++) {
                    rr[r] = slot0 + r;
                    pp[r] = starts[r];
                }
                rows = manager.create(rr);
                positions = manager.create(pp);
            }
            for (int l = 0; l < layers.length; l++) {
                x = layer(l, x, rope, mask, cache, slot0, starts, rows, positions, keyLen, lora);
            }
            out = rmsNorm(x, finalNorm);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
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

    private NDArray layer(int l, NDArray x, NDArray[] rope, NDArray mask, KvCache cache, int slot0, int[] starts,
                          NDArray rows, NDArray positions, int keyLen, LoraBatch lora) {
        ModelConfig c = config;
        LayerWeights w = layers[l];
        int b = (int) x.getShape().get(0);
        int t = (int) x.getShape().get(1);
        int nh = c.numHeads();
        int nkv = c.numKvHeads();
        int g = nh / nkv;
        int hd = c.headDim();
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray h = rmsNorm(x, w.inputNorm());
            NDArray qkv = adapt(linear(h, w.wqkv(), w.bqkv()), h, lora, l, LoraGroup.QKV);
            NDList parts = qkv.reshape(b, t, nh + 2 * nkv, hd).split(new long[] {nh, nh + nkv}, 2);
            NDArray q = rotary(parts.get(0), rope, 0, t);
            NDArray k = rotary(parts.get(1), rope, 1, t);
            NDArray v = parts.get(2);
            NDArray kt; // keys transposed: [B, nkv, hd, T]
            if (t == 1) {
                // One token: the head/time transposes are plain reshapes.
                q = q.reshape(b, nkv, g, hd);
                kt = k.reshape(b, nkv, hd, 1);
                v = v.reshape(b, nkv, 1, hd);
            } else {
                q = q.reshape(b, t, nkv, g, hd).transpose(0, 2, 3, 1, 4).reshape(b, nkv, g * t, hd);
                kt = k.transpose(0, 2, 3, 1);
                v = v.transpose(0, 2, 1, 3);
            }
            NDArray keysT;
            NDArray values;
            if (cache == null) {
                keysT = kt;
                values = v;
            } else {
                writeCache(cache, l, kt, v, slot0, starts, rows, positions, b, t);
                keysT = cache.keys(l).get(new NDIndex().addSliceDim(slot0, slot0 + b).addAllDim().addAllDim().addSliceDim(0, keyLen));
                values = cache.values(l).get(new NDIndex().addSliceDim(slot0, slot0 + b).addAllDim().addSliceDim(0, keyLen));
            }
            NDArray scores = q.matMul(keysT);
            NDArray probs;
            if (t == 1) {
                probs = scores.add(mask).softmax(3);
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
                                   NDArray rows, NDArray positions, int b, int t) {
        if (rows != null) {
            // One position for each row, each at its own length: one scatter a tensor for the whole batch.
            cache.keys(layer).set(new NDIndex("{}, :, :, {}", rows, positions), kt.reshape(b, kt.getShape().get(1), kt.getShape().get(2)));
            cache.values(layer).set(new NDIndex("{}, :, {}", rows, positions), v.reshape(b, v.getShape().get(1), v.getShape().get(3)));
            return;
        }
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
        NDArray low = lora.low(layer, group, h, at);
        NDArray mask = lora.mask(layer, group);
        if (mask != null) {
            low = low.mul(mask);
        }
        return y.add(low.matMul(lora.bt(layer, group)));
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        // pow(NDArray), not pow(-0.5f): DJL turns a Number into a Java-backed scalar and closes it at once, and the
        // backward of pow reads the exponent (freed memory under GC); this one lives as long as the model.
        NDArray inv = x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).pow(minusHalf);
        return x.mul(inv).mul(weight);
    }

    private static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
    }

    /**
     * The rotary embedding of q (which = 0, also scaled by 1/sqrt(headDim)) or k (which = 1), [B, T, heads, hd].
     * A one-token step multiplies by a per-row rotation matrix (one operation, and decoding is bound by operation
     * count); a longer pass, training above all, uses x·cos + rotate_half(x)·sin, element-wise: the matrix form
     * would be B·T tiny matmuls whose [B, T, hd, hd] tables and their gradients dominate a training step.
     */
    private static NDArray rotary(NDArray x, NDArray[] rope, int which, int t) {
        if (t == 1) {
            return x.matMul(rope[which]);
        }
        long half = x.getShape().get(3) / 2;
        NDList halves = x.split(new long[] {half}, 3);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(rope[2 + 2 * which]).add(rotated.mul(rope[3 + 2 * which]));
    }

    /**
     * Index 0 and 1: rotation matrices M, [B, T, hd, hd], with x·M = x·cos + rotate_half(x)·sin (M = I·cos + R·sin,
     * column-wise), for queries (times 1/sqrt(headDim), the attention scale) and keys; only built for one-token steps.
     * Index 2–5: cos and sin [B, T, 1, hd] for queries (scaled) and keys, for longer passes.
     */
    private NDArray[] ropeTables(int[] starts, int b, int t) {
        long[] pos = new long[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                pos[r * t + i] = starts[r] + i;
            }
        }
        int hd = config.headDim();
        NDArray p = manager.create(pos);
        NDArray cos = cosTable.get(new NDIndex("{}", p)).reshape(b, t, 1, hd);
        NDArray sin = sinTable.get(new NDIndex("{}", p)).reshape(b, t, 1, hd);
        float scale = (float) (1.0 / Math.sqrt(hd));
        if (t > 1) {
            return new NDArray[] {null, null, cos.mul(scale), sin.mul(scale), cos, sin};
        }
        NDArray mk = identity.mul(cos).add(rotate.mul(sin));
        NDArray mq = mk.mul(scale);
        return new NDArray[] {mq, mk};
    }

    /** Additive mask [B, 1, 1, T, S] ([B, 1, 1, S] for one token): query i of row r sees key j when j <= start_r + i. */
    private NDArray attentionMask(int[] starts, int b, int t, int keyLen, boolean noCache) {
        float[] last = new float[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                last[r * t + i] = noCache ? i : starts[r] + i;
            }
        }
        NDArray limit = manager.create(last, new Shape(b, t, 1));
        NDArray keys = keyIndex.get(new NDIndex().addSliceDim(0, keyLen));
        // -1e30, not -inf: the masked probabilities underflow to exactly 0 and 0·x never makes a NaN.
        NDArray mask = keys.gt(limit).toType(DataType.FLOAT32, false).mul(-1e30f);
        return t == 1 ? mask.reshape(b, 1, 1, keyLen) : mask.reshape(b, 1, 1, t, keyLen);
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
