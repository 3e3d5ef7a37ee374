package dev.penwright.styler.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.style.StylePack;

/**
 * Which adapters the backend holds for this node, and when they come and go. An adapter is provisioned when its pack
 * is registered (so it is ready before any request moves to the new version), is held by each request that renders
 * with it, and is unprovisioned once no registered pack names it and its last request is done. All backend calls run
 * in order on one thread, so a load and an unload of one name never overtake each other.
 */
final class Adapters {
    /** The backend side of provisioning. */
    interface Provisioner {
        /** Makes the adapter in {@code folder} available under {@code name}; a repeat is harmless. */
        void provision(String name, Path folder);

        /** Takes it away again; an adapter already gone is harmless. */
        void unprovision(String name);
    }

    private static final class Entry {
        CompletableFuture<Void> ready;
        int packs;
        int leases;
        Path folder;
    }

    /** A request's hold on an adapter: its name, once provisioned. */
    record Lease(String name, CompletableFuture<Void> ready) {
    }

    private final Provisioner provisioner;
    private final ExecutorService calls;
    private final Consumer<String> log;
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<StylePack, String> names = new IdentityHashMap<>();

    Adapters(Provisioner provisioner, ExecutorService calls, Consumer<String> log) {
        this.provisioner = provisioner;
        this.calls = calls;
        this.log = log;
    }

    /** A pack was registered: its adapter is provisioned now (the name is computed once, from its files). */
    void packArrived(StylePack pack) {
        try {
            synchronized (this) {
                entry(pack).packs++;
            }
        } catch (GenerationException e) {
            log.accept("adapter of " + pack.ref() + " not provisioned: " + e.getMessage());
        }
    }

    /** A pack was withdrawn: its adapter goes once its last request is done (unless another pack names it). */
    void packLeft(StylePack pack) {
        synchronized (this) {
            String name = names.remove(pack);
            Entry e = name == null ? null : entries.get(name);
            if (e != null) {
                e.packs--;
                retireIfUnused(name, e);
            }
        }
    }

    /** Holds the pack's adapter for one request; {@link Lease#ready()} completes once the backend has it. */
    synchronized Lease lease(StylePack pack) {
        Entry e = entry(pack);
        if (e.ready.isCompletedExceptionally()) {
            // Provisioning failed (the backend was down when the pack arrived): this request tries again.
            String name = names.get(pack);
            Path folder = e.folder;
            e.ready = CompletableFuture.runAsync(() -> provisioner.provision(name, folder), calls);
        }
        e.leases++;
        return new Lease(names.get(pack), e.ready);
    }

    synchronized void release(Lease lease) {
        Entry e = entries.get(lease.name());
        if (e != null) {
            e.leases--;
            retireIfUnused(lease.name(), e);
        }
    }

    /** Provisions a leased adapter again (the backend lost it: another node unloaded it, or it restarted). */
    synchronized Lease reprovision(Lease lease) {
        Entry e = entries.get(lease.name());
        if (e == null) {
            return lease;
        }
        String name = lease.name();
        Path folder = e.folder;
        e.ready = e.ready.handle((v, failure) -> null).thenRunAsync(() -> provisioner.provision(name, folder), calls);
        return new Lease(name, e.ready);
    }

    /** The names held now (provisioned or being provisioned). */
    synchronized Set<String> held() {
        return new TreeSet<>(entries.keySet());
    }

    private Entry entry(StylePack pack) {
        String name = names.get(pack);
        if (name == null) {
            try {
                name = AdapterNames.of(pack);
            } catch (IOException e) {
                throw new GenerationException(GenerationException.UNAVAILABLE, "the adapter files of " + pack.ref()
                        + " cannot be read", 0, e);
            }
            names.put(pack, name);
        }
        Entry e = entries.get(name);
        if (e == null) {
            e = new Entry();
            e.folder = pack.directory();
            String n = name;
            Path folder = e.folder;
            e.ready = CompletableFuture.runAsync(() -> provisioner.provision(n, folder), calls);
            e.ready.whenComplete((v, failure) -> {
                if (failure != null) {
                    log.accept("adapter " + n + " not provisioned: " + failure.getMessage());
                }
            });
            entries.put(name, e);
        }
        return e;
    }

    private void retireIfUnused(String name, Entry e) {
        if (e.packs > 0 || e.leases > 0) {
            return;
        }
        entries.remove(name);
        e.ready.handle((v, failure) -> null).thenRunAsync(() -> {
            try {
                provisioner.unprovision(name);
            } catch (RuntimeException failure) {
                log.accept("adapter " + name + " not unloaded: " + failure.getMessage());
            }
        }, calls);
    }

    /** Copies a pack's adapter (and the files a Penwright backend uses beside it) into {@code dir/name}, whole. */
    static Path copyInto(Path dir, String name, Path folder) {
        Path target = dir.resolve(name);
        if (Files.isDirectory(target)) {
            return target; // content-addressed: what is there is the same
        }
        Path part = dir.resolve("." + name + ".part-" + System.nanoTime());
        try {
            Files.createDirectories(part);
            for (String file : new String[] {"adapter_config.json", "adapter_model.safetensors", "style.json",
                    "vocabulary.txt", "form-words.txt", "form-openers.tsv", "exemplars.jsonl"}) {
                if (Files.isRegularFile(folder.resolve(file))) {
                    Files.copy(folder.resolve(file), part.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(target)) {
                throw new GenerationException(GenerationException.UNAVAILABLE, "cannot copy adapter " + name
                        + " into the shared folder: " + e.getMessage(), 0, e);
            }
        } finally {
            deleteQuietly(part);
        }
        return target;
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A leftover part folder is harmless: names starting with '.' are never served.
        }
    }
}
