package dev.penwright.stylepacks;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@link PackLimits} in force, from Config Admin (pid {@code dev.penwright.stylepacks},
 * {@code etc/dev.penwright.stylepacks.cfg}): the one place the deploy folder, the HTTP upload and {@code pen:deploy}
 * read them from. A change applies to the next pack judged.
 */
@Component(service = StylePackLimits.class, configurationPid = StylePackLimits.PID)
@Designate(ocd = StylePackLimits.Config.class)
public final class StylePackLimits {
    public static final String PID = "dev.penwright.stylepacks";

    @ObjectClassDefinition(name = "Penwright style packs", description = "Size limits every style pack is held to.")
    public @interface Config {
        @AttributeDefinition(description = "Largest number of entries in a pack jar.")
        int maxEntries() default 1000;

        @AttributeDefinition(description = "Largest total inflated size of a pack, in bytes.")
        long maxInflatedBytes() default 64L << 20;

        @AttributeDefinition(description = "Largest inflated size of one entry, in bytes.")
        long maxEntryBytes() default 64L << 20;

        @AttributeDefinition(description = "Largest ratio of inflated to stored bytes (beyond the first MiB).")
        int maxRatio() default 100;
    }

    private volatile PackLimits limits = PackLimits.DEFAULTS;

    @Activate
    public StylePackLimits(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        limits = new PackLimits(Math.max(1, config.maxEntries()), Math.max(1, config.maxInflatedBytes()),
                Math.max(1, config.maxEntryBytes()), Math.max(1, config.maxRatio()));
    }

    public PackLimits limits() {
        return limits;
    }
}
