package io.kinesisha.cli.replicate;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
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

/** Runs the replicator job embedded (a local Flink MiniCluster) until Ctrl-C. */
@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = {"Run the replicator embedded in a local Flink MiniCluster until Ctrl-C: primary stream (EFO)",
            "to secondary stream, per-key order kept, progress in the control store."})
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

    @Override
    public Integer call() throws Exception {
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism must be 1..64, was " + parallelism);
        }
        if (follow && reverse) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--follow and --reverse exclude each other:"
                    + " --follow takes the direction from the control record");
        }
        ReplicationPairConfig pair = config.load();
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
            // Ctrl-C: cancel the job so its read lease is released at once, then retire its EFO consumer
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                spec.commandLine().getErr().println("kinesis-ha replicate: cancelling the job failed: " + e);
            }
            Replicator.retireJobManagedConsumer(pair, plan);
        }, "replicate-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        job.getJobExecutionResult().get();
        Runtime.getRuntime().removeShutdownHook(stopper);
        return 0;
    }
}
