package dev.penwright.engine.cli;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.ModelConfig;
import dev.penwright.engine.internal.Checkpoint;

/**
 * The yardstick: a straightforward DJL decoder of the same checkpoint, written the way one usually first writes it
 * (separate q/k/v/gate/up matmuls, rotate-half by slicing, a KV cache grown by concatenation, repeat_kv), run on the
 * same machine at the same time as the engine, so the benchmark compares like with like. Greedy, equal-length rows.
 */
final class PlainDecoder implements AutoCloseable {
    private final ModelConfig c;
    private final NDManager manager;
    private final Checkpoint ck;

    PlainDecoder(Path dir, ModelConfig config) throws IOException {
        this.c = config;
        this.manager = NDManager.newBaseManager();
        this.ck = Checkpoint.open(dir);
    }

    private final java.util.Map<String, NDArray> weights = new java.util.HashMap<>();

    private NDArray w(String name, long... shape) {
        return weights.computeIfAbsent(name, n -> {
            try {
                NDArray a = ck.load(manager, n, shape);
                NDScope.unregister(a); // weights outlive the step's scope
                return a;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Decodes {@code steps} greedy tokens for each row after its prompt; returns decode tokens/s. */
    double decodeRate(long[][] prompts, int steps) {
        int b = prompts.length;
        int t = prompts[0].length;
        long d = c.hiddenSize();
        int hd = c.headDim();
        NDArray[] ks = new NDArray[c.numLayers()];
        NDArray[] vs = new NDArray[c.numLayers()];
        long[] flat = new long[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(prompts[r], 0, flat, r * t, t);
        }
        NDArray ids = manager.create(flat, new Shape(b, t));
        int pos = 0;
        long start = 0;
        for (int s = 0; s <= steps; s++) {
            if (s == 1) {
                start = System.nanoTime();
            }
            try (NDScope scope = new NDScope()) {
                int len = (int) ids.getShape().get(1);
                NDArray x = w("model.embed_tokens.weight", c.vocabSize(), d).get(new NDIndex("{}", ids.flatten()))
                        .reshape(b, len, d);
                float[] cos = new float[len * hd];
                float[] sin = new float[len * hd];
                for (int i = 0; i < len; i++) {
                    for (int j = 0; j < hd; j++) {
                        double f = (pos + i) / Math.pow(c.ropeTheta(), (2.0 * (j % (hd / 2))) / hd);
                        cos[i * hd + j] = (float) Math.cos(f);
                        sin[i * hd + j] = (float) Math.sin(f);
                    }
                }
                NDArray cs = manager.create(cos, new Shape(1, 1, len, hd));
                NDArray sn = manager.create(sin, new Shape(1, 1, len, hd));
                for (int l = 0; l < c.numLayers(); l++) {
                    String p = "model.layers." + l + ".";
                    NDArray h = rms(x, w(p + "input_layernorm.weight", d));
                    NDArray q = lin(h, w(p + "self_attn.q_proj.weight", c.queryWidth(), d)).reshape(b, len, c.numHeads(), hd).transpose(0, 2, 1, 3);
                    NDArray k = lin(h, w(p + "self_attn.k_proj.weight", c.kvWidth(), d)).reshape(b, len, c.numKvHeads(), hd).transpose(0, 2, 1, 3);
                    NDArray v = lin(h, w(p + "self_attn.v_proj.weight", c.kvWidth(), d)).reshape(b, len, c.numKvHeads(), hd).transpose(0, 2, 1, 3);
                    q = rope(q, cs, sn);
                    k = rope(k, cs, sn);
                    NDArray kc = ks[l] == null ? k : NDArrays.concat(new NDList(ks[l], k), 2);
                    NDArray vc = vs[l] == null ? v : NDArrays.concat(new NDList(vs[l], v), 2);
                    NDScope.unregister(kc, vc);
                    if (ks[l] != null) {
                        ks[l].close();
                        vs[l].close();
                    }
                    ks[l] = kc;
                    vs[l] = vc;
                    int g = c.numHeads() / c.numKvHeads();
                    NDArray kr = g == 1 ? kc : kc.repeat(1, g);
                    NDArray vr = g == 1 ? vc : vc.repeat(1, g);
                    NDArray scores = q.matMul(kr.transpose(0, 1, 3, 2)).div((float) Math.sqrt(hd));
                    if (len > 1) {
                        float[] m = new float[len * len];
                        for (int i = 0; i < len; i++) {
                            for (int j = i + 1; j < len; j++) {
                                m[i * len + j] = -1e30f;
                            }
                        }
                        scores = scores.add(manager.create(m, new Shape(len, len)));
                    }
                    NDArray att = scores.softmax(3).matMul(vr).transpose(0, 2, 1, 3).reshape(b, len, c.queryWidth());
                    x = x.add(lin(att, w(p + "self_attn.o_proj.weight", d, c.queryWidth())));
                    NDArray h2 = rms(x, w(p + "post_attention_layernorm.weight", d));
                    NDArray gate = lin(h2, w(p + "mlp.gate_proj.weight", c.intermediateSize(), d));
                    NDArray up = lin(h2, w(p + "mlp.up_proj.weight", c.intermediateSize(), d));
                    NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
                    x = x.add(lin(act, w(p + "mlp.down_proj.weight", d, c.intermediateSize())));
                }
                NDArray last = rms(x.get(new NDIndex(":, -1:")), w("model.norm.weight", d));
                NDArray logits = lin(last, c.tieWordEmbeddings() ? w("model.embed_tokens.weight", c.vocabSize(), d)
                        : w("lm_head.weight", c.vocabSize(), d));
                NDArray next = logits.argMax(2).reshape(b, 1);
                NDScope.unregister(next);
                ids = next;
                pos += len;
            }
        }
        double rate = (double) b * steps / ((System.nanoTime() - start) / 1e9);
        for (int l = 0; l < ks.length; l++) {
            ks[l].close();
            vs[l].close();
        }
        return rate;
    }

    private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private NDArray rms(NDArray x, NDArray weight) {
        return x.mul(x.square().mean(new int[] {-1}, true).add((float) c.rmsNormEps()).pow(-0.5f)).mul(weight);
    }

    private static NDArray lin(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
