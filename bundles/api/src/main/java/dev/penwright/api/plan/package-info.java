/** Content plans: what a planner makes of the user's material, in neutral words. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.penwright.api.plan;
