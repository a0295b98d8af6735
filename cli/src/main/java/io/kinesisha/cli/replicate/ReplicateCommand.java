package io.kinesisha.cli.replicate;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import io.kinesisha.cli.OutputOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the replicator job embedded (a local Flink MiniCluster) until Ctrl-C, or submits it to a running Flink
 * session cluster ({@code --cluster URL}) for users who outgrew the embedded mode.
 */
@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = {"Run the replicator embedded in a local Flink MiniCluster until Ctrl-C: primary stream (EFO)",
            "to secondary stream, per-key order kept, progress in the control store.",
            "With --cluster URL, submit it to a running Flink 1.20 session cluster instead and print the job id;",
            "with --cluster URL --stop JOB_ID, end that job for good and retire its EFO consumer."})
public final class ReplicateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Option(names = "--reverse", description = "Replicate secondary to primary (failback) instead.")
    boolean reverse;

    @Option(names = "--follow", description = {"Replicate whichever direction the control record permits, and restart",
        "the job when the controller changes it (failover, failback); idle while replication is fenced."})
    boolean follow;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--cluster", paramLabel = "URL", description = {"Submit to the Flink session cluster whose REST",
        "endpoint is URL (http://host:port) and return; the config is read here, the cluster's TaskManagers must",
        "reach the endpoints it names."})
    String cluster;

    @Option(names = "--job-jar", paramLabel = "FILE", description = {"The shaded job jar --cluster submits",
        "(default: replicator/target/kinesis-ha-replicator-<version>-flink-job.jar of this checkout)."})
    Path jobJar;

    @Option(names = "--from-savepoint", paramLabel = "PATH", description = {"With --cluster: start from this",
        "savepoint or retained checkpoint (all of its state must be restored)."})
    String savepoint;

    @Option(names = "--stop", paramLabel = "JOB_ID", description = {"With --cluster: end this replicator job for good",
        "(cancel, or stop with a savepoint into --savepoint-dir), wait until no task of it runs, then deregister the",
        "EFO consumer the job registered for itself. Add --reverse for a failback job."})
    String stopJob;

    @Option(names = "--savepoint-dir", paramLabel = "DIR", description = "With --stop: stop with a savepoint written here.")
    String savepointDir;

    @Option(names = "--keep-consumer", description = {"With --stop: keep the job's EFO consumer (to resubmit from",
        "the savepoint soon)."})
    boolean keepConsumer;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism must be 1..64, was " + parallelism);
        }
        if (follow && reverse) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--follow and --reverse exclude each other:"
                    + " --follow takes the direction from the control record");
        }
        if (cluster == null && (jobJar != null || savepoint != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    (jobJar != null ? "--job-jar" : "--from-savepoint") + " needs --cluster URL");
        }
        if (cluster != null && follow) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--follow and --cluster exclude each"
                    + " other: --follow restarts an embedded job; on a cluster, submit --reverse after a failover");
        }
        if (stopJob == null && (savepointDir != null || keepConsumer)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    (savepointDir != null ? "--savepoint-dir" : "--keep-consumer") + " needs --stop JOB_ID");
        }
        if (stopJob != null && (cluster == null || follow || jobJar != null || savepoint != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), cluster == null
                    ? "--stop needs --cluster URL (an embedded replicator stops with Ctrl-C)"
                    : "--stop ends a job: it takes no --follow, --job-jar or --from-savepoint");
        }
        ReplicationPairConfig pair = config.load();
        if (stopJob != null) {
            return new ClusterStop(cluster, stopJob, savepointDir, keepConsumer).stop(spec.commandLine().getOut(),
                    spec.commandLine().getErr(), output, pair, reverse);
        }
        if (cluster != null) {
            return new ClusterSubmission(cluster, jobJar, savepoint).submit(spec.commandLine().getOut(),
                    spec.commandLine().getErr(), output, config, reverse, parallelism);
        }
        if (follow) {
            java.io.PrintWriter err = spec.commandLine().getErr();
            io.kinesisha.replicator.follow.ReplicatorSupervisor supervisor = new io.kinesisha.replicator.follow.ReplicatorSupervisor(pair, parallelism, java.time.Duration.ofSeconds(1),
                    line -> {
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
        ReplicationPlan plan = ReplicationPlan.prepare(pair, reverse);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
        Replicator.build(env, pair, plan);
        spec.commandLine().getErr().println("kinesis-ha replicate: " + plan + " (" + plan.sourceStreamArn() + " -> "
                + plan.targetStreamArn() + "); Ctrl-C stops it");
        JobClient job = env.executeAsync("kinesis-ha replicator " + plan);
        Thread stopper = new Thread(() -> {
            // Ctrl-C: cancel the job, release its read lease (the JVM may exit before the source closes), retire its consumer
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
                Replicator.releaseJobLease(plan); // only once it no longer reads
            } catch (Exception e) {
                spec.commandLine().getErr().println("kinesis-ha replicate: cancelling the job failed: " + e);
            }
            Replicator.retireJobManagedConsumer(pair, plan).ifPresent(retired ->
                    spec.commandLine().getErr().println("kinesis-ha replicate: " + retired));
            spec.commandLine().getErr().flush();
        }, "replicate-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        job.getJobExecutionResult().get();
        Runtime.getRuntime().removeShutdownHook(stopper);
        return 0;
    }
}
