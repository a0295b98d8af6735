package io.kinesisha.cli.replicate;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import io.kinesisha.replicator.cluster.FlinkSessionCluster;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * {@code replicate --cluster URL --stop JOB}: ends a replicator job on a session cluster for good (cancel, or stop
 * with a savepoint) and, once no task of it runs any more, retires the EFO consumer the job registered for itself,
 * which would otherwise keep costing its hourly charge and one of the stream's 20 consumer slots. The job's name
 * must name the direction being stopped, so a wrong job id or a missing {@code --reverse} stops nothing.
 */
final class ClusterStop {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(5);

    private final String url;
    private final String jobId;
    private final String savepointDir;
    private final boolean keepConsumer;

    ClusterStop(String url, String jobId, String savepointDir, boolean keepConsumer) {
        this.url = url;
        this.jobId = jobId;
        this.savepointDir = savepointDir;
        this.keepConsumer = keepConsumer;
    }

    int stop(PrintWriter out, PrintWriter err, OutputOptions output, ReplicationPairConfig pair, boolean reverse) {
        JobID job;
        try {
            job = JobID.fromHexString(jobId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--stop " + jobId + " is not a Flink job id (32 hex digits)", e);
        }
        ReplicationDirection direction = reverse
                ? new ReplicationDirection(
                        pair.secondary().region(), pair.primary().region())
                : new ReplicationDirection(
                        pair.primary().region(), pair.secondary().region());
        Map<String, Object> result = new LinkedHashMap<>();
        try (FlinkSessionCluster cluster = ClusterSubmission.connect(url)) {
            String name = cluster.jobName(job);
            if (!name.startsWith("kinesis-ha replicator ") || !name.contains(direction.toString())) {
                throw new IllegalArgumentException("--stop " + jobId + ": job '" + name + "' is not the replicator of "
                        + direction + (reverse ? "" : " (a failback job? add --reverse)"));
            }
            result.put("cluster", cluster.url().toString());
            result.put("jobId", job.toHexString());
            result.put("jobName", name);
            String savepoint = null;
            if (savepointDir != null) {
                savepoint = cluster.stopWithSavepoint(job, savepointDir, SAVEPOINT_TIMEOUT);
            } else {
                cluster.cancel(job);
            }
            JobStatus ended = cluster.awaitTermination(job, TIMEOUT);
            result.put("status", ended.name());
            result.put("savepoint", savepoint);
            err.println("kinesis-ha replicate: job " + job.toHexString() + " ended " + ended
                    + (savepoint == null ? "" : "; savepoint " + savepoint));
        }
        Optional<JobManagedConsumer> consumer = JobManagedConsumer.of(pair, direction);
        Map<String, Object> consumerResult = new LinkedHashMap<>();
        int exit = 0;
        if (consumer.isEmpty()) {
            consumerResult.put("outcome", "NONE");
            consumerResult.put(
                    "detail", "the job registers no EFO consumer of its own (polling reader or SELF_MANAGED)");
        } else {
            consumerResult.put("name", consumer.get().name());
            consumerResult.put("streamArn", consumer.get().streamArn());
            if (keepConsumer) {
                consumerResult.put("outcome", "KEPT");
                consumerResult.put("detail", "--keep-consumer: a job resubmitted from the savepoint reuses it");
            } else {
                JobManagedConsumer.Retirement retired;
                try (AwsClientFactory clients = new AwsClientFactory(AwsTargets.tuning(pair));
                        KinesisClient kinesis = clients.kinesis(AwsTargets.kinesis(pair, sourceOf(pair, direction)))) {
                    retired = consumer.get().retire(kinesis);
                }
                consumerResult.put("outcome", retired.outcome().name());
                consumerResult.put("detail", retired.detail());
                err.println("kinesis-ha replicate: " + retired);
                if (retired.outcome() == JobManagedConsumer.Outcome.FAILED) {
                    err.println("kinesis-ha replicate: deregister it by hand: aws kinesis deregister-stream-consumer"
                            + " --stream-arn " + consumer.get().streamArn() + " --consumer-name "
                            + consumer.get().name());
                    exit = 1;
                }
            }
        }
        result.put("consumer", consumerResult);
        if (output.json()) {
            output.printJson(out, result);
        } else {
            out.println(job.toHexString() + " " + result.get("status"));
            out.flush();
        }
        err.flush();
        return exit;
    }

    private static io.kinesisha.common.config.RegionConfig sourceOf(
            ReplicationPairConfig pair, ReplicationDirection direction) {
        return direction.sourceRegion().equals(pair.primary().region()) ? pair.primary() : pair.secondary();
    }
}
