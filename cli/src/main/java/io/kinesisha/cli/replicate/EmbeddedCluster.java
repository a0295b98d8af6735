package io.kinesisha.cli.replicate;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.client.program.PerJobMiniClusterFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * The embedded {@code replicate}'s local Flink cluster, started on a thread of its own as soon as the command
 * runs, so that its start (RPC system, JobManager, one TaskManager: seconds on a small machine) overlaps reading
 * the control record and registering the EFO consumer instead of following them. The job is then submitted the
 * way {@code executeAsync} on a local environment does it (a per-job cluster, shut down with the job), only to
 * the cluster that is already up.
 */
final class EmbeddedCluster {
    private final EagerMiniCluster cluster;

    private EmbeddedCluster(EagerMiniCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts a one-TaskManager cluster with {@code slots} slots (one per subtask) in the background. */
    static EmbeddedCluster startInBackground(int slots) {
        Configuration configuration = new Configuration();
        configuration.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        configuration.set(RestOptions.BIND_PORT, "0"); // never a fixed port; the REST endpoint is not used here
        EagerMiniCluster cluster = new EagerMiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build());
        Thread starter = new Thread(cluster::startNow, "kinesis-ha-cluster-start");
        starter.setDaemon(true);
        starter.start();
        return new EmbeddedCluster(cluster);
    }

    /** Submits the job {@code env} describes once the cluster is up; the cluster shuts down when the job ends. */
    JobClient submit(StreamExecutionEnvironment env, String jobName) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        JobGraph jobGraph = graph.getJobGraph(classLoader, null);
        // PerJobMiniClusterFactory calls start() on the cluster it is given: ours waits for the background start
        return PerJobMiniClusterFactory.createWithFactory(new Configuration(), ignored -> cluster)
                .submitJob(jobGraph, classLoader)
                .get();
    }

    /** Closes the cluster when the command fails before a job was submitted. */
    void abandon() {
        cluster.closeAsync();
    }

    /** A MiniCluster whose {@link #start()} waits for the start begun earlier on another thread. */
    private static final class EagerMiniCluster extends MiniCluster {
        private final CompletableFuture<Void> started = new CompletableFuture<>();

        EagerMiniCluster(MiniClusterConfiguration configuration) {
            super(configuration);
        }

        void startNow() {
            try {
                super.start();
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }

        @Override
        public void start() throws Exception {
            try {
                started.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
        }
    }
}
