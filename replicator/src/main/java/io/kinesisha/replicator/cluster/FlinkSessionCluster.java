package io.kinesisha.replicator.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.messages.webmonitor.ClusterOverview;
import org.apache.flink.util.ExceptionUtils;

/**
 * A running Flink session cluster reached over its REST API, for users who outgrow the embedded mode.
 *
 * <p>Submits the shaded job jar the way {@code flink run} does: the jar's main method runs in this process, so the
 * config file, the {@code KINESIS_HA_*} variables and the control store are read here, once; the cluster receives
 * the job graph and the jar. Nothing of the job is installed on the cluster and the config file need not be
 * readable there, but the cluster's TaskManagers must reach the Kinesis and DynamoDB endpoints the config names.
 */
public final class FlinkSessionCluster implements AutoCloseable {
    /** The port of a Flink REST endpoint when a URL names none ({@code rest.port}'s default). */
    public static final int DEFAULT_REST_PORT = 8081;

    private final URI url;
    private final Duration timeout;
    private final RestClusterClient<String> client;

    private FlinkSessionCluster(URI url, Duration timeout, RestClusterClient<String> client) {
        this.url = url;
        this.timeout = timeout;
        this.client = client;
    }

    /**
     * Connects and checks that a Flink REST API answers.
     *
     * @param url {@code http://host[:port]} of the JobManager's REST endpoint
     * @param timeout for this check and for each later request
     * @throws IllegalArgumentException when the URL is not of that form
     * @throws IllegalStateException when nothing answers as a Flink REST API within the timeout
     */
    public static FlinkSessionCluster connect(String url, Duration timeout) {
        URI uri = parse(url);
        Configuration config = new Configuration();
        config.set(RestOptions.ADDRESS, uri.getHost());
        config.set(RestOptions.PORT, uri.getPort() < 0 ? DEFAULT_REST_PORT : uri.getPort());
        config.set(RestOptions.CONNECTION_TIMEOUT, timeout);
        // connection problems are retried; a cluster that is down answers within a few seconds, not 20 retries later
        config.set(RestOptions.RETRY_MAX_ATTEMPTS, 2);
        config.set(RestOptions.RETRY_DELAY, Duration.ofSeconds(1));
        RestClusterClient<String> client;
        try {
            client = new RestClusterClient<>(config, "kinesis-ha");
        } catch (Exception e) {
            throw new IllegalStateException("cannot create a REST client for " + uri + ": " + e.getMessage(), e);
        }
        FlinkSessionCluster cluster = new FlinkSessionCluster(uri, timeout, client);
        try {
            cluster.overview();
        } catch (RuntimeException e) {
            client.close();
            throw new IllegalStateException("no Flink REST API answers at " + uri + ": " + rootMessage(e), e);
        }
        return cluster;
    }

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getMessage(), e);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("'" + url + "' must be an http:// URL of the JobManager's REST endpoint"
                    + " (e.g. http://jobmanager:8081); TLS (rest.ssl.*) is not supported here");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' names no host (e.g. http://jobmanager:8081)");
        }
        boolean rootPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() || "/".equals(uri.getRawPath());
        if (!rootPath || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "'" + url + "' must be just http://host[:port] (no path, query or user)");
        }
        return uri;
    }

    /** What the cluster reports: TaskManagers, slots, jobs. */
    public ClusterOverview overview() {
        return await(client.getClusterOverview(), "the cluster overview");
    }

    /**
     * Runs the jar's main method here to build the job graph and submits it with the jar.
     *
     * @param jobJar the shaded replicator jar ({@code kinesis-ha-replicator-*-flink-job.jar})
     * @param programArgs the job's arguments ({@code --config FILE [--reverse] [--parallelism N] [--set k=v]})
     * @param defaultParallelism used where the program sets none
     * @param savepoint a savepoint or retained checkpoint to start from, or null; its state must all be restored
     */
    public JobID submit(Path jobJar, List<String> programArgs, int defaultParallelism, String savepoint) {
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalArgumentException(
                    "job jar " + jobJar + " does not exist; build it with" + " 'mvn -pl replicator -am package'");
        }
        SavepointRestoreSettings restore = savepoint == null
                ? SavepointRestoreSettings.none()
                : SavepointRestoreSettings.forPath(savepoint, false);
        Configuration config = new Configuration();
        // The AWS SDK finds interceptors by listing classpath resources, which a child-first loader also takes from
        // this process's classpath (DynamoDB Local's enhanced client in the CLI): one SDK, this process's, for all.
        config.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL, List.of("software.amazon.awssdk."));
        JobGraph graph;
        try (PackagedProgram program = PackagedProgram.newBuilder()
                .setJarFile(jobJar.toFile())
                .setArguments(programArgs.toArray(new String[0]))
                .setConfiguration(config)
                .setSavepointRestoreSettings(restore)
                .build()) {
            graph = PackagedProgramUtils.createJobGraph(program, config, defaultParallelism, false);
        } catch (ProgramInvocationException e) {
            // the program's own exceptions come from the jar's class loader: report the root cause's message
            throw new IllegalStateException(
                    "the job in " + jobJar.getFileName() + " could not be built: " + rootMessage(e), e);
        }
        return await(client.submitJob(graph), "the job submission");
    }

    /** The job's status as the cluster reports it. */
    public JobStatus status(JobID job) {
        return await(client.getJobStatus(job), "the status of job " + job);
    }

    /** The job's name as the cluster reports it (the replicator names its direction and epoch). */
    public String jobName(JobID job) {
        return await(client.getJobDetails(job), "the details of job " + job).getName();
    }

    /**
     * Stops the job with a savepoint (sources stop, everything in flight is written) and returns its path.
     *
     * @param directory where to write it, or null for the cluster's {@code state.savepoints.dir}
     */
    public String stopWithSavepoint(JobID job, String directory, Duration savepointTimeout) {
        return await(
                client.stopWithSavepoint(job, false, directory, SavepointFormatType.CANONICAL),
                "the savepoint of job " + job,
                savepointTimeout);
    }

    public void cancel(JobID job) {
        await(client.cancel(job), "the cancellation of job " + job);
    }

    /**
     * Waits until the job has ended on every TaskManager (a cancel or stop answers before its tasks are gone) and
     * returns how it ended; whoever retires what the job used (its EFO consumer) must wait for this first.
     */
    public JobStatus awaitTermination(JobID job, Duration limit) {
        JobResult result = await(client.requestJobResult(job), "the end of job " + job, limit);
        switch (result.getApplicationStatus()) {
            case SUCCEEDED:
                return JobStatus.FINISHED;
            case CANCELED:
                return JobStatus.CANCELED;
            case FAILED:
                return JobStatus.FAILED;
            default:
                return status(job);
        }
    }

    public URI url() {
        return url;
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        return await(future, what, timeout);
    }

    private <T> T await(CompletableFuture<T> future, String what, Duration limit) {
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException(url + " did not answer " + what + " within " + limit.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = ExceptionUtils.stripExecutionException(e);
            throw new IllegalStateException(what + " failed at " + url + ": " + rootMessage(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        }
    }

    /** The innermost cause's message: the REST client wraps "Connection refused" in retry and future exceptions. */
    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    @Override
    public void close() {
        client.close();
    }
}
