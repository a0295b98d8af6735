package io.kinesisha.controller.runtime;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.HealthThresholds;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.CloudWatchSignals;
import io.kinesisha.controller.health.Evidence;
import io.kinesisha.controller.health.KinesisProbe;
import io.kinesisha.controller.health.ProbeResult;
import io.kinesisha.controller.health.StreamSignals;
import io.kinesisha.controller.operations.PairContext;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * Gathers one evaluation's evidence about the primary: an active probe from where the controller runs,
 * CloudWatch's error rate and iterator age (left out where there is no CloudWatch, i.e. local emulators), and the
 * replication progress of the current direction and epoch.
 */
public final class EvidenceCollector implements AutoCloseable {
    static final Duration CLOUDWATCH_PERIOD = Duration.ofMinutes(1);
    static final Duration CLOUDWATCH_PUBLISH_DELAY = Duration.ofMinutes(1);

    private final PairContext ctx;
    private final KinesisProbe probe;
    private final AwsClientFactory cloudWatchClients;
    private final CloudWatchClient cloudWatch;
    private final CloudWatchSignals signals;

    public EvidenceCollector(PairContext ctx, boolean useCloudWatch) {
        this.ctx = ctx;
        HealthThresholds h = ctx.config().health();
        this.probe = new KinesisProbe(
                AwsTargets.kinesis(ctx.config(), ctx.config().primary()),
                ctx.config().primary().streamArn().toString(),
                h.probeTimeout(),
                ctx.clock());
        if (useCloudWatch) {
            this.cloudWatchClients = new AwsClientFactory(AwsTargets.tuning(ctx.config()));
            this.cloudWatch = cloudWatchClients
                    .configure(
                            CloudWatchClient.builder(),
                            AwsTargets.kinesis(ctx.config(), ctx.config().primary())
                                    .withEndpoint(null))
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .build();
            this.signals = new CloudWatchSignals(cloudWatch, ctx.clock(), CLOUDWATCH_PERIOD, CLOUDWATCH_PUBLISH_DELAY);
        } else {
            this.cloudWatchClients = null;
            this.cloudWatch = null;
            this.signals = null;
        }
    }

    /** True when the primary's Kinesis endpoint is on this machine: an emulator, which has no CloudWatch. */
    public static boolean isLocal(PairContext ctx) {
        return ctx.config()
                .primary()
                .endpoint()
                .map(e -> {
                    String host = e.getHost();
                    return "localhost".equals(host) || (host != null && host.startsWith("127."));
                })
                .orElse(false);
    }

    public Evidence collect(ControlRecord record) {
        List<ProbeResult> probes = List.of(probe.probe());
        List<ShardProgress> progress = record.direction() == null
                ? List.of()
                : ctx.store().readProgress(ctx.pair(), record.direction(), record.epoch());
        if (signals == null) {
            return Evidence.withoutCloudWatch(probes, progress);
        }
        try {
            StreamSignals s = signals.read(
                    ctx.config().primary().streamArn().streamName(),
                    List.of(ctx.config().replication().consumerName()),
                    ctx.config().health().errorRateWindow());
            return new Evidence(s, null, probes, progress);
        } catch (RuntimeException e) {
            return new Evidence(null, e.getClass().getSimpleName() + ": " + e.getMessage(), probes, progress);
        }
    }

    @Override
    public void close() {
        probe.close();
        if (cloudWatch != null) {
            cloudWatch.close();
            cloudWatchClients.close();
        }
    }
}
