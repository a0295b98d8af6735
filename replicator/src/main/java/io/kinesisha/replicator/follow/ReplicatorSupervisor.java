package io.kinesisha.replicator.follow;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Keeps an embedded replicator job running for whatever direction the control record permits: when the
 * controller fences, reverses or restores replication (new direction or epoch), the old job is cancelled and a
 * job for the new one is submitted, starting where {@link ReplicationPlan} says (progress, else the cut). What
 * the Managed Flink applications of both directions do on AWS, for one machine.
 */
public final class ReplicatorSupervisor implements AutoCloseable {
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(3);

    private final ReplicationPairConfig config;
    private final int parallelism;
    private final Consumer<String> log;
    private final Duration poll;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Running current;
    private volatile int jobsStarted;
    private volatile String lastError;

    /** What runs now: direction, epoch, the Flink job. */
    private static final class Running {
        private final ReplicationDirection direction;
        private final long epoch;
        private final JobClient job;
        private final ReplicationPlan plan;

        Running(ReplicationDirection direction, long epoch, JobClient job, ReplicationPlan plan) {
            this.direction = direction;
            this.epoch = epoch;
            this.job = job;
            this.plan = plan;
        }

        ReplicationPlan plan() {
            return plan;
        }

        ReplicationDirection direction() {
            return direction;
        }

        long epoch() {
            return epoch;
        }

        JobClient job() {
            return job;
        }
    }

    public ReplicatorSupervisor(ReplicationPairConfig config, int parallelism, Duration poll, Consumer<String> log) {
        this.config = config;
        this.parallelism = parallelism;
        this.poll = poll;
        this.log = log;
        this.thread = new Thread(this::loop, "replicator-supervisor-" + config.pairName());
        this.thread.setDaemon(true);
    }

    public ReplicatorSupervisor start() {
        thread.start();
        return this;
    }

    /** The direction replicated now, if any. */
    public Optional<ReplicationDirection> direction() {
        Running r = current;
        return r == null ? Optional.empty() : Optional.of(r.direction());
    }

    public int jobsStarted() {
        return jobsStarted;
    }

    public String lastError() {
        return lastError;
    }

    private void loop() {
        try (AwsClientFactory clients = new AwsClientFactory(AwsTargets.tuning(config));
                DynamoDbClient dynamo = clients.dynamoDb(AwsTargets.controlStore(config))) {
            ControlStore store = new ControlStore(dynamo, config.control().tableName());
            while (running) {
                Duration wait = poll;
                try {
                    ControlRecord record = readOrPrepare(store);
                    reconcile(record);
                    lastError = null;
                } catch (Exception e) {
                    if (!Objects.equals(lastError, e.getMessage())) {
                        log.accept("replicator: " + e.getMessage());
                    }
                    lastError = e.getMessage();
                    wait = RETRY_AFTER_FAILURE;
                }
                TimeUnit.MILLISECONDS.sleep(wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            boolean interrupted = Thread.interrupted(); // cancel the job even when stopped by an interrupt
            Running last = current;
            stopCurrent("supervisor stopped");
            if (last != null) {
                // stopped for good: the job-managed EFO consumer would only keep costing
                Replicator.retireJobManagedConsumer(config, last.plan());
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The control record; a new pair gets its table and first record the way a forward job would create them. */
    private ControlRecord readOrPrepare(ControlStore store) {
        Optional<ControlRecord> record;
        try {
            record = store.read(config.pairName());
        } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException missingTable) {
            record = Optional.empty();
        }
        if (record.isPresent()) {
            return record.get();
        }
        ReplicationPlan.prepare(config, false);
        return store.read(config.pairName())
                .orElseThrow(() -> new IllegalStateException(
                        "control record of " + config.pairName() + " missing after creation"));
    }

    private void reconcile(ControlRecord record) throws Exception {
        Running r = current;
        if (r != null && r.job().getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            log.accept("replicator: job " + r.direction() + " epoch " + r.epoch() + " ended ("
                    + r.job().getJobStatus().get() + "); resubmitting");
            current = null;
            r = null;
        }
        ReplicationDirection wanted = record == null ? null : record.direction();
        if (r != null && (!r.direction().equals(wanted) || r.epoch() != record.epoch())) {
            stopCurrent("control record now has " + (wanted == null ? "no direction" : wanted) + " epoch "
                    + (record == null ? "-" : record.epoch()));
            r = null;
        }
        if (r == null && wanted != null) {
            boolean reverse = wanted.sourceRegion().equals(config.secondary().region());
            ReplicationPlan plan = ReplicationPlan.prepare(config, reverse);
            if (plan.epoch() != record.epoch() || !plan.direction().equals(wanted)) {
                return; // the record moved while preparing: next round
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
            Replicator.build(env, config, plan);
            JobClient job = env.executeAsync("kinesis-ha replicator " + plan);
            current = new Running(wanted, plan.epoch(), job, plan);
            jobsStarted++;
            log.accept("replicator: started " + plan);
        }
    }

    private void stopCurrent(String why) {
        Running r = current;
        current = null;
        if (r == null) {
            return;
        }
        try {
            r.job().cancel().get(60, TimeUnit.SECONDS);
            Replicator.releaseJobLease(r.plan());
            log.accept("replicator: stopped " + r.direction() + " epoch " + r.epoch() + " (" + why + ")");
        } catch (Exception e) {
            log.accept("replicator: cancelling " + r.direction() + " epoch " + r.epoch() + " failed: " + e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(90));
    }
}
