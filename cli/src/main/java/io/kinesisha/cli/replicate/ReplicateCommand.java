package io.kinesisha.cli.replicate;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.RegionConfig;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import io.kinesisha.replicator.JobParallelism;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Runs the replicator job embedded (a local Flink MiniCluster) until Ctrl-C, or submits it to a running Flink
 * session cluster ({@code --cluster URL}) for users who outgrew the embedded mode.
 */
@Command(
        name = "replicate",
        mixinStandardHelpOptions = true,
        description = {
            "Run the replicator embedded in a local Flink MiniCluster until Ctrl-C: primary stream (EFO)",
            "to secondary stream, per-key order kept, progress in the control store.",
            "With --cluster URL, submit it to a running Flink 1.20 session cluster instead and print the job id;",
            "with --cluster URL --stop JOB_ID, end that job for good and retire its EFO consumer."
        })
public final class ReplicateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicateCommand.class);
    static final int FIXED_DEFAULT_PARALLELISM = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Option(names = "--reverse", description = "Replicate secondary to primary (failback) instead.")
    boolean reverse;

    @Option(
            names = "--follow",
            description = {
                "Replicate whichever direction the control record permits, and restart",
                "the job when the controller changes it (failover, failback); idle while replication is fenced."
            })
    boolean follow;

    @Option(
            names = "--parallelism",
            description = {
                "Job parallelism (default: embedded, one subtask per open shard of",
                "the source, at most two per core of this machine; with --cluster or --follow, "
                        + FIXED_DEFAULT_PARALLELISM + ")."
            })
    Integer parallelism;

    @Option(
            names = "--cluster",
            paramLabel = "URL",
            description = {
                "Submit to the Flink session cluster whose REST",
                "endpoint is URL (http://host:port) and return; the config is read here, the cluster's TaskManagers must",
                "reach the endpoints it names."
            })
    String cluster;

    @Option(
            names = "--job-jar",
            paramLabel = "FILE",
            description = {
                "The shaded job jar --cluster submits",
                "(default: replicator/target/kinesis-ha-replicator-<version>-flink-job.jar of this checkout)."
            })
    Path jobJar;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = {
                "With --cluster: start from this",
                "savepoint or retained checkpoint (all of its state must be restored)."
            })
    String savepoint;

    @Option(
            names = "--stop",
            paramLabel = "JOB_ID",
            description = {
                "With --cluster: end this replicator job for good",
                "(cancel, or stop with a savepoint into --savepoint-dir), wait until no task of it runs, then deregister the",
                "EFO consumer the job registered for itself. Add --reverse for a failback job."
            })
    String stopJob;

    @Option(
            names = "--savepoint-dir",
            paramLabel = "DIR",
            description = "With --stop: stop with a savepoint written here.")
    String savepointDir;

    @Option(
            names = "--keep-consumer",
            description = {"With --stop: keep the job's EFO consumer (to resubmit from", "the savepoint soon)."})
    boolean keepConsumer;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        if (parallelism != null && (parallelism < 1 || parallelism > JobParallelism.MAX)) {
            throw new IllegalArgumentException(
                    "--parallelism must be 1.." + JobParallelism.MAX + ", was " + parallelism);
        }
        if (follow && reverse) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--follow and --reverse exclude each other:"
                            + " --follow takes the direction from the control record");
        }
        if (cluster == null && (jobJar != null || savepoint != null)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), (jobJar != null ? "--job-jar" : "--from-savepoint") + " needs --cluster URL");
        }
        if (cluster != null && follow) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--follow and --cluster exclude each"
                            + " other: --follow restarts an embedded job; on a cluster, submit --reverse after a failover");
        }
        if (stopJob == null && (savepointDir != null || keepConsumer)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    (savepointDir != null ? "--savepoint-dir" : "--keep-consumer") + " needs --stop JOB_ID");
        }
        if (stopJob != null && (cluster == null || follow || jobJar != null || savepoint != null)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    cluster == null
                            ? "--stop needs --cluster URL (an embedded replicator stops with Ctrl-C)"
                            : "--stop ends a job: it takes no --follow, --job-jar or --from-savepoint");
        }
        // embedded: the local cluster starts while the config is read, the plan made and the EFO consumer registered
        EmbeddedCluster embedded = null;
        if (stopJob == null && cluster == null && !follow) {
            LOG.info("starting: the embedded Flink cluster in the background, the plan meanwhile");
            embedded =
                    EmbeddedCluster.startInBackground(parallelism != null ? parallelism : JobParallelism.machineCap());
        }
        try {
            return run(embedded);
        } catch (Exception | Error e) {
            if (embedded != null) {
                embedded.abandon();
            }
            throw e;
        }
    }

    private Integer run(EmbeddedCluster embedded) throws Exception {
        ReplicationPairConfig pair = config.load();
        if (stopJob != null) {
            return new ClusterStop(cluster, stopJob, savepointDir, keepConsumer)
                    .stop(spec.commandLine().getOut(), spec.commandLine().getErr(), output, pair, reverse);
        }
        if (cluster != null) {
            return new ClusterSubmission(cluster, jobJar, savepoint)
                    .submit(
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr(),
                            output,
                            config,
                            reverse,
                            fixedParallelism());
        }
        if (follow) {
            java.io.PrintWriter err = spec.commandLine().getErr();
            io.kinesisha.replicator.follow.ReplicatorSupervisor supervisor =
                    new io.kinesisha.replicator.follow.ReplicatorSupervisor(
                            pair, fixedParallelism(), java.time.Duration.ofSeconds(1), line -> {
                                err.println(line);
                                err.flush();
                            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    supervisor.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            err.println("kinesis-ha replicate --follow: pair " + pair.pairName() + "; Ctrl-C stops it");
            supervisor.start();
            Thread.currentThread().join();
            return 0;
        }
        // until the job's own stop hook is in place, Ctrl-C retires a consumer registered here (not someone else's)
        AtomicBoolean registeredHere = new AtomicBoolean();
        Thread early = new Thread(
                () -> {
                    if (registeredHere.get()) {
                        retireRegisteredAhead(pair);
                    }
                },
                "replicate-stop-early");
        Runtime.getRuntime().addShutdownHook(early);
        CompletableFuture<Void> consumer = registerConsumerAhead(pair, registeredHere);
        ReplicationPlan plan = ReplicationPlan.prepare(pair, reverse);
        int jobParallelism = parallelism != null
                ? parallelism
                : JobParallelism.forOpenShards(plan.sourceOpenShards(), JobParallelism.machineCap());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(jobParallelism, new Configuration());
        Replicator.build(env, pair, plan);
        spec.commandLine()
                .getErr()
                .println("kinesis-ha replicate: " + plan + " (" + plan.sourceStreamArn() + " -> "
                        + plan.targetStreamArn() + "), parallelism " + jobParallelism
                        + (parallelism != null ? "" : " (" + plan.sourceOpenShards() + " open shards)")
                        + "; Ctrl-C stops it");
        consumer.join();
        JobClient job = embedded.submit(env, "kinesis-ha replicator " + plan);
        LOG.info("job {} submitted", job.getJobID());
        Thread stopper = new Thread(
                () -> {
                    // Ctrl-C: cancel the job, release its read lease (the JVM may exit before the source closes),
                    // retire its consumer
                    try {
                        job.cancel().get(30, TimeUnit.SECONDS);
                        // cancel() answers when the request is taken, not when the source has stopped: a lease renewal
                        // still
                        // under way could take the lease again after it is released, and the next replicate would wait
                        // its TTL
                        job.getJobExecutionResult()
                                .handle((result, error) -> null)
                                .get(30, TimeUnit.SECONDS);
                        Replicator.releaseJobLease(plan); // only once it no longer reads
                    } catch (Exception e) {
                        spec.commandLine().getErr().println("kinesis-ha replicate: cancelling the job failed: " + e);
                    }
                    Replicator.retireJobManagedConsumer(pair, plan)
                            .ifPresent(
                                    retired -> spec.commandLine().getErr().println("kinesis-ha replicate: " + retired));
                    spec.commandLine().getErr().flush();
                },
                "replicate-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        Runtime.getRuntime().removeShutdownHook(early);
        job.getJobExecutionResult().get();
        Runtime.getRuntime().removeShutdownHook(stopper);
        return 0;
    }

    private int fixedParallelism() {
        return parallelism != null ? parallelism : FIXED_DEFAULT_PARALLELISM;
    }

    /**
     * Registers the job's EFO consumer (if it manages one) while the plan is made, so its CREATING -> ACTIVE
     * transition is over when the source asks for it. The source still registers or finds it itself.
     */
    private CompletableFuture<Void> registerConsumerAhead(ReplicationPairConfig pair, AtomicBoolean registeredHere) {
        Optional<JobManagedConsumer> consumer = jobManagedConsumer(pair);
        if (consumer.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
                    try (AwsClientFactory clients = new AwsClientFactory(AwsTargets.tuning(pair));
                            KinesisClient kinesis = clients.kinesis(
                                    AwsTargets.kinesis(pair, reverse ? pair.secondary() : pair.primary()))) {
                        JobManagedConsumer.Registration done = consumer.get().registerAhead(kinesis);
                        registeredHere.set(done == JobManagedConsumer.Registration.REGISTERED);
                        LOG.info(
                                "EFO consumer {}: {} ahead of the job",
                                consumer.get(),
                                done.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                    }
                })
                .exceptionally(e -> {
                    LOG.info(
                            "registering the EFO consumer ahead of the job failed ({}); the job registers it",
                            e.toString());
                    return null;
                });
    }

    /** Ctrl-C before the job ran: the consumer registered ahead goes, as the job's would. */
    private void retireRegisteredAhead(ReplicationPairConfig pair) {
        jobManagedConsumer(pair).ifPresent(consumer -> {
            try (AwsClientFactory clients = new AwsClientFactory(AwsTargets.tuning(pair));
                    KinesisClient kinesis =
                            clients.kinesis(AwsTargets.kinesis(pair, reverse ? pair.secondary() : pair.primary()))) {
                spec.commandLine().getErr().println("kinesis-ha replicate: " + consumer.retire(kinesis));
                spec.commandLine().getErr().flush();
            }
        });
    }

    private Optional<JobManagedConsumer> jobManagedConsumer(ReplicationPairConfig pair) {
        RegionConfig from = reverse ? pair.secondary() : pair.primary();
        RegionConfig to = reverse ? pair.primary() : pair.secondary();
        return JobManagedConsumer.of(pair, new ReplicationDirection(from.region(), to.region()));
    }
}
