package io.kinesisha.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Validations;

/**
 * The CDK app: the control table stack and one stack per region, built only from context that passed
 * {@link DeploymentSettings}, and checked by the cdk-nag AwsSolutions pack at every synth (a finding fails the synth
 * unless acknowledged next to the resource with its reason).
 */
public final class KinesisHaApp {
    private KinesisHaApp() {}

    /** The three stacks of one pair. */
    public record Stacks(ControlTableStack control, RegionStack primary, RegionStack secondary) {}

    /**
     * Context the app always sets: cross-region references stay "strong" (the primary stack refuses to change the
     * replicator consumer while the secondary still uses it), stated explicitly so a CDK upgrade cannot flip it.
     */
    static final Map<String, Object> FIXED_CONTEXT = Map.of("@aws-cdk/core:defaultCrossStackReferences", "strong");

    /** An app with {@link #FIXED_CONTEXT} under {@code context} (e.g. test context; the CLI's context wins). */
    public static App newApp(Map<String, Object> context) {
        Map<String, Object> all = new HashMap<>(context);
        all.putAll(FIXED_CONTEXT);
        return new App(AppProps.builder().context(all).build());
    }

    public static void main(String[] args) {
        App app = newApp(Map.of());
        try {
            build(
                    app,
                    DeploymentSettings.fromContext(
                            key -> app.getNode().tryGetContext(key),
                            System.getenv("CDK_DEFAULT_ACCOUNT"),
                            Path.of("").toAbsolutePath()));
        } catch (DeploymentSettings.InvalidDeploymentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        app.synth();
    }

    /** Adds the pair's stacks and the cdk-nag checks to {@code app}. */
    public static Stacks build(App app, DeploymentSettings settings) {
        String prefix = Names.prefix(settings);
        ControlTableStack control = new ControlTableStack(app, prefix + "-control", settings);
        RegionStack primary = new RegionStack(app, prefix + "-primary", settings, RegionStack.Role.PRIMARY, null);
        RegionStack secondary = new RegionStack(
                app,
                prefix + "-secondary",
                settings,
                RegionStack.Role.SECONDARY,
                primary.streams().replicatorConsumer().getAttrConsumerArn());
        // The replicators create the pair's first control record at startup: the table must exist before either.
        primary.addStackDependency(control);
        secondary.addStackDependency(control);
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        return new Stacks(control, primary, secondary);
    }
}
