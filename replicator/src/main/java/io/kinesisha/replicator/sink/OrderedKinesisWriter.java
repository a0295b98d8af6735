package io.kinesisha.replicator.sink;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.metrics.MetricNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * The writer of {@link KinesisStreamsSink}: keeps per-key order by never having more than one entry of a partition
 * key in flight.
 *
 * <p>Entries wait in a FIFO queue per key ({@link KeyScheduler}, the rule without the I/O). A batch takes the head of
 * each key that has nothing in flight, in the order keys became ready, up to the count and byte limits. A failed entry
 * (per-entry error or failed request) stays at the head of its queue and is sent again after a backoff, so later
 * entries of its key cannot overtake it. The price: a single hot key gets one PutRecords round trip per record; many keys fill batches as usual.
 * So that a hot key's backlog (and with it a checkpoint flush) stays a bounded number of round trips, a key holds
 * at most {@code maxBufferedPerKey} entries; {@code write} waits for room like it does for the whole buffer.
 *
 * <p>Threading: all state belongs to the task thread. SDK completions and timers only post a mail to Flink's
 * mailbox; {@code write} and {@code flush} yield to the mailbox while they wait (back-pressure, checkpoint
 * flush), so no SDK thread is ever blocked and nothing is locked.
 */
public final class OrderedKinesisWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedKinesisWriter.class);
    /** How often a closed write gate is asked again while entries wait. */
    private static final long GATE_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String streamArn;
    private final KinesisSinkElementConverter<T> converter;
    private final int maxBatchSize;
    private final long maxBatchBytes;
    private final int maxInFlightBatches;
    private final int maxBufferedRecords;
    private final int maxBufferedPerKey;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final SinkWriteListener<T> listener;
    private final RecordDescriber<T> describer;
    private final WriteGate gate;
    private final MailboxExecutor mailbox;
    private final TypeSerializer<T> copier;
    private final int subtask;

    private final AwsClientFactory clients;
    private final KinesisAsyncClient kinesis;
    private final ScheduledThreadPoolExecutor timer;
    /** Data plus key, as the target stream accepts (read from it at start). */
    private final int maxRecordBytes;

    private final KeyScheduler<Pending<T>> scheduler = new KeyScheduler<>();
    /** The entries of the element being written; one list for all elements (task thread only). */
    private final List<SinkEntry> converted = new ArrayList<>();

    private volatile int buffered;
    private volatile int inFlightBatches;
    private volatile boolean fenced;
    private volatile long lastSendTimeMillis;
    private long wakeupAtNanos = Long.MAX_VALUE;
    private ScheduledFuture<?> wakeup;
    private long lastWarnNanos = System.nanoTime() - WARN_INTERVAL_NANOS;
    private KinesisSinkException fatal;
    private boolean closed;

    private final Counter recordsOut;
    private final Counter bytesOut;
    private final Counter retries;
    private final Counter throttled;
    private final Counter failed;
    private final Counter batches;
    private final Counter reorders;
    private final Counter flinkRecordsSend;
    private final Counter flinkBytesSend;
    private final Counter flinkSendErrors;

    OrderedKinesisWriter(KinesisStreamsSink<T> sink, WriterInitContext context) throws IOException {
        this.streamArn = sink.streamArn();
        this.converter = sink.converter();
        this.maxBatchSize = sink.maxBatchSize();
        this.maxBatchBytes = sink.maxBatchBytes();
        this.maxInFlightBatches = sink.maxInFlightBatches();
        this.maxBufferedRecords = sink.maxBufferedRecords();
        this.maxBufferedPerKey = sink.maxBufferedPerKey();
        this.initialBackoffNanos = TimeUnit.MILLISECONDS.toNanos(sink.initialBackoffMillis());
        this.maxBackoffNanos = TimeUnit.MILLISECONDS.toNanos(sink.maxBackoffMillis());
        this.listener = sink.listener();
        this.describer = sink.describer();
        this.gate = sink.gate();
        this.mailbox = context.getMailboxExecutor();
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        // with object reuse the runtime may overwrite an element after write(): keep a copy if we hand it back later
        this.copier = listener != null && context.isObjectReuseEnabled() ? context.<T>createInputSerializer() : null;

        SinkWriterMetricGroup metrics = context.metricGroup();
        this.recordsOut = metrics.counter(MetricNames.RECORDS_OUT);
        this.bytesOut = metrics.counter(MetricNames.BYTES_OUT);
        this.retries = metrics.counter(MetricNames.RETRIES);
        this.throttled = metrics.counter(MetricNames.THROTTLED);
        this.failed = metrics.counter(MetricNames.FAILED);
        this.batches = metrics.counter(MetricNames.BATCHES);
        this.reorders = metrics.counter(MetricNames.REORDERS);
        metrics.gauge(MetricNames.IN_FLIGHT, () -> inFlightBatches);
        metrics.gauge(MetricNames.BUFFERED, () -> buffered);
        metrics.gauge(MetricNames.FENCED, () -> fenced ? 1 : 0);
        metrics.setCurrentSendTimeGauge(() -> lastSendTimeMillis);
        this.flinkRecordsSend = metrics.getNumRecordsSendCounter();
        this.flinkBytesSend = metrics.getNumBytesSendCounter();
        this.flinkSendErrors = metrics.getNumRecordsSendErrorsCounter();

        AwsTarget target = sink.target();
        this.clients = new AwsClientFactory(sink.tuning());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kinesis-sink-timer-" + subtask);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        KinesisAsyncClient client = null;
        int recordLimit;
        try {
            client = clients.kinesisAsync(target, ClientRole.SINK, sink.clientOverrides()::apply);
            converter.open(context);
            KinesisAsyncClient describing = client;
            recordLimit = RecordLimits.maxRecordBytes(
                    streamArn,
                    () -> describing
                            .describeStreamSummary(b -> b.streamARN(streamArn)
                                    .overrideConfiguration(o -> o.apiCallTimeout(RecordLimits.DESCRIBE_TIMEOUT)
                                            .apiCallAttemptTimeout(RecordLimits.DESCRIBE_TIMEOUT)))
                            .join());
            if (gate != null) {
                gate.open(subtask, context.getTaskInfo().getNumberOfParallelSubtasks());
            }
            if (listener != null) {
                listener.open(context);
            }
        } catch (Exception e) {
            closeQuietly(client);
            timer.shutdownNow();
            clients.close();
            throw e instanceof IOException
                    ? (IOException) e
                    : new IOException(
                            "could not start the Kinesis sink writer for " + streamArn + ": " + e.getMessage(), e);
        }
        this.kinesis = client;
        this.maxRecordBytes = recordLimit;
        LOG.info(
                "Kinesis sink writer {} for {} in {}: batches of up to {} records / {} bytes, {} in flight, {} buffered "
                        + "({} per key){}",
                subtask,
                streamArn,
                target,
                maxBatchSize,
                maxBatchBytes,
                maxInFlightBatches,
                maxBufferedRecords,
                maxBufferedPerKey,
                gate == null ? "" : ", fenced by " + gate);
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        checkFatal();
        while (buffered >= maxBufferedRecords) {
            mailbox.yield();
            checkFatal();
        }
        List<SinkEntry> entries = converted;
        entries.clear();
        converter.convertAll(element, entries);
        int count = entries.size();
        for (int i = 0; i < count; i++) {
            awaitRoomForKey(entries.get(i).partitionKey());
        }
        T kept = copier != null ? copier.copy(element) : element;
        // an element written as several entries is reported written once, when the last of them is acknowledged
        EntryGroup group = count > 1 ? new EntryGroup(count) : null;
        for (int i = 0; i < count; i++) {
            enqueue(listener == null ? null : kept, entries.get(i), group, element);
        }
        entries.clear();
        if (listener != null) {
            try {
                listener.onAccepted(kept);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("sink write listener failed: " + e.getMessage(), e);
            }
        }
        if (count > 0) {
            trySend();
        }
    }

    /** A hot key waits here, not in the buffer: its backlog costs one round trip per entry to drain. */
    private void awaitRoomForKey(String key) throws IOException, InterruptedException {
        while (scheduler.queued(key) >= maxBufferedPerKey) {
            mailbox.yield();
            checkFatal();
        }
    }

    /** Returns once everything written before is acknowledged: what makes a checkpoint at-least-once. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        checkFatal();
        trySend();
        while (buffered > 0) {
            mailbox.yield();
            checkFatal();
        }
        if (listener != null) {
            notifyListener(listener::onFlushed);
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        if (wakeup != null) {
            wakeup.cancel(false);
        }
        timer.shutdownNow();
        Exception first = null;
        for (AutoCloseable resource :
                new AutoCloseable[] {gate, listener == null ? null : listener::close, kinesis, clients}) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        LOG.info(
                "Kinesis sink writer {} for {}: {} records written in {} PutRecords requests (mean {} per request), "
                        + "{} retried, {} throttled",
                subtask,
                streamArn,
                recordsOut.getCount(),
                batches.getCount(),
                batches.getCount() == 0 ? 0 : recordsOut.getCount() / batches.getCount(),
                retries.getCount(),
                throttled.getCount());
        if (buffered > 0) {
            LOG.info(
                    "Kinesis sink writer {} closed with {} records not acknowledged (they are replayed from the last "
                            + "checkpoint)",
                    subtask,
                    buffered);
        }
        if (first != null) {
            throw first;
        }
    }

    private void enqueue(T element, SinkEntry entry, EntryGroup group, T original) throws KinesisSinkException {
        String key = entry.partitionKey();
        if (key.isEmpty() || key.length() > SinkEntry.MAX_PARTITION_KEY_LENGTH) {
            throw new KinesisSinkException("cannot write to " + streamArn + ": partition key must be 1 to "
                    + SinkEntry.MAX_PARTITION_KEY_LENGTH + " characters, was " + key.length());
        }
        int size = entry.sizeInBytes();
        if (size > maxRecordBytes) {
            failed.inc();
            flinkSendErrors.inc();
            throw new KinesisSinkException("cannot write to " + streamArn + ": the record with partition key '" + key
                    + "'" + (describer == null ? "" : " (" + describer.describe(original) + ")") + " has " + size
                    + " bytes (data plus key), over the " + maxRecordBytes + " bytes (" + maxRecordBytes / 1024
                    + " KiB) the target stream accepts; raise its limit with UpdateMaxRecordSize (up to 10240 KiB)");
        }
        PutRecordsRequestEntry request = PutRecordsRequestEntry.builder()
                .partitionKey(key)
                .explicitHashKey(entry.explicitHashKey())
                .data(SdkBytes.fromByteArrayUnsafe(entry.data()))
                .build();
        scheduler.add(new Pending<>(element, key, request, size, group));
        buffered++;
    }

    /** Sends what may be sent now; afterwards either a request is in flight or a wakeup is scheduled, if anything waits. */
    private void trySend() {
        if (closed || fatal != null) {
            return;
        }
        long now = System.nanoTime();
        scheduler.promoteDue(now);
        while (inFlightBatches < maxInFlightBatches && scheduler.readyKeys() > 0 && worthSending() && gateOpen()) {
            sendBatch();
        }
        long due = scheduler.nextRetryAtNanos();
        if (fenced && scheduler.readyKeys() > 0) {
            due = Math.min(due, now + GATE_RECHECK_NANOS);
        }
        if (due != Long.MAX_VALUE) {
            scheduleWakeup(due, now);
        }
    }

    /**
     * Nagle for PutRecords: with nothing in flight, send at once (lowest latency on a quiet stream); with requests in
     * flight, send only full batches until one completes (each completion sends what gathered meanwhile). A flush
     * waits the same way: sending the keys that are ready as extra small requests would split the keys into cohorts
     * that each cost a round trip from then on, and every completion sends the rest anyway.
     */
    private boolean worthSending() {
        return inFlightBatches == 0 || scheduler.readyKeys() >= maxBatchSize;
    }

    private boolean gateOpen() {
        // beginWrite counts the request the loop sends next as in flight (sendBatch always follows a true answer)
        boolean nowFenced = gate != null && !gate.beginWrite();
        if (nowFenced != fenced) {
            fenced = nowFenced;
            if (nowFenced) {
                LOG.warn(
                        "Kinesis sink writer {} for {} stops writing, the write gate is closed: {} ({} records held)",
                        subtask,
                        streamArn,
                        gate.reason(),
                        buffered);
            } else {
                LOG.info("Kinesis sink writer {} for {} resumes writing: {}", subtask, streamArn, gate.reason());
            }
        }
        return !nowFenced;
    }

    private void sendBatch() {
        // a record larger than the batch budget (up to the stream's record limit) goes in a request of its own
        List<Pending<T>> batch = scheduler.takeBatch(maxBatchSize, maxBatchBytes);
        List<PutRecordsRequestEntry> records = new ArrayList<>(batch.size());
        for (Pending<T> pending : batch) {
            records.add(pending.request);
            if (pending.attempts > 0) {
                retries.inc();
            }
        }
        PutRecordsRequest request = PutRecordsRequest.builder()
                .streamARN(streamArn)
                .records(records)
                .build();
        inFlightBatches++;
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "writer {}: PutRecords of {} entries ({} in flight, {} keys ready, {} buffered)",
                    subtask,
                    records.size(),
                    inFlightBatches,
                    scheduler.readyKeys(),
                    buffered);
        }
        batches.inc();
        long started = System.nanoTime();
        CompletableFuture<PutRecordsResponse> future;
        try {
            future = kinesis.putRecords(request);
        } catch (RuntimeException e) {
            future = new CompletableFuture<>();
            future.completeExceptionally(e);
        }
        // runs on an SDK thread: hand over to the task thread, touch nothing here
        future.whenComplete((response, error) -> {
            if (gate != null) {
                gate.endWrite();
            }
        });
        future.whenComplete((response, error) ->
                post(() -> onResult(batch, response, error, started), "Kinesis PutRecords result"));
    }

    private void onResult(List<Pending<T>> batch, PutRecordsResponse response, Throwable error, long startedNanos)
            throws Exception {
        inFlightBatches--;
        if (closed) {
            return;
        }
        lastSendTimeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (error != null) {
            onRequestFailed(batch, KinesisErrors.unwrap(error));
        } else {
            onResponse(batch, response);
        }
        if (fatal != null) {
            throw fatal;
        }
        trySend();
    }

    private void onRequestFailed(List<Pending<T>> batch, Throwable error) {
        if (!KinesisErrors.isRetryable(error)) {
            failed.inc(batch.size());
            flinkSendErrors.inc(batch.size());
            fatal = new KinesisSinkException(
                    "PutRecords to " + streamArn + " failed with a non-retryable error: "
                            + KinesisErrors.describe(error) + " (" + batch.size() + " records not written)",
                    error);
            return;
        }
        boolean throttling = KinesisErrors.isThrottling(error);
        long now = System.nanoTime();
        for (Pending<T> pending : batch) {
            if (throttling) {
                throttled.inc();
            }
            backOff(pending, now);
        }
        if (now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
            lastWarnNanos = now;
            LOG.warn(
                    "PutRecords to {} failed, {} records will be retried in order: {}",
                    streamArn,
                    batch.size(),
                    KinesisErrors.describe(error));
        }
    }

    private void onResponse(List<Pending<T>> batch, PutRecordsResponse response) throws Exception {
        List<PutRecordsResultEntry> results = response.records();
        if (results.size() != batch.size()) {
            fatal = new KinesisSinkException("PutRecords to " + streamArn + " answered " + results.size()
                    + " results for " + batch.size() + " records");
            return;
        }
        long now = System.nanoTime();
        int retried = 0;
        String lastCode = null;
        for (int i = 0; i < results.size(); i++) {
            PutRecordsResultEntry result = results.get(i);
            Pending<T> pending = batch.get(i);
            String code = result.errorCode();
            if (code == null) {
                acknowledge(pending, result.shardId(), result.sequenceNumber());
            } else if (KinesisErrors.isRetryableCode(code)) {
                if (KinesisErrors.isThrottlingCode(code)) {
                    throttled.inc();
                }
                backOff(pending, now);
                retried++;
                lastCode = code;
            } else {
                failed.inc();
                flinkSendErrors.inc();
                if (fatal == null) {
                    fatal = new KinesisSinkException(
                            "PutRecords to " + streamArn + " rejected the record with partition key '"
                                    + pending.key + "': " + code + ": " + result.errorMessage()
                                    + " (not retryable; the record was not written)");
                }
            }
        }
        if (retried > 0 && now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
            lastWarnNanos = now;
            LOG.warn(
                    "PutRecords to {}: {} of {} entries failed ({}), retrying them in order",
                    streamArn,
                    retried,
                    batch.size(),
                    lastCode);
        }
    }

    private void acknowledge(Pending<T> pending, String shardId, String sequenceNumber) throws Exception {
        if (!scheduler.acknowledged(pending)) {
            // cannot happen while one entry per key is in flight; counted so a regression is visible
            reorders.inc();
            LOG.error(
                    "Kinesis sink writer {}: acknowledgement for key '{}' is not the oldest entry of its key",
                    subtask,
                    pending.key);
        }
        buffered--;
        recordsOut.inc();
        bytesOut.inc(pending.size);
        flinkRecordsSend.inc();
        flinkBytesSend.inc(pending.size);
        if (listener != null && (pending.group == null || --pending.group.unacknowledged == 0)) {
            listener.onWritten(pending.element, shardId, sequenceNumber);
        }
    }

    /** The entry stays at the head of its key's queue; the key is ready again after the backoff. */
    private void backOff(Pending<T> pending, long now) {
        pending.attempts++;
        scheduler.retryAt(pending, now + backoffNanos(pending.attempts));
    }

    private long backoffNanos(int attempts) {
        long base = initialBackoffNanos << Math.min(attempts - 1, 20);
        base = base <= 0 ? maxBackoffNanos : Math.min(base, maxBackoffNanos);
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    private void scheduleWakeup(long dueNanos, long now) {
        if (wakeup != null && wakeupAtNanos <= dueNanos) {
            return;
        }
        if (wakeup != null) {
            wakeup.cancel(false);
        }
        wakeupAtNanos = dueNanos;
        try {
            wakeup = timer.schedule(
                    () -> post(this::onWakeup, "Kinesis sink wakeup"),
                    Math.max(0, dueNanos - now),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            wakeup = null;
        }
    }

    private void onWakeup() {
        wakeup = null;
        wakeupAtNanos = Long.MAX_VALUE;
        trySend();
    }

    private void post(ThrowingRunnable<? extends Exception> action, String description) {
        try {
            mailbox.execute(action, description);
        } catch (RejectedExecutionException mailboxClosed) {
            LOG.debug("Kinesis sink writer {}: mailbox closed, dropped '{}'", subtask, description);
        }
    }

    private void checkFatal() throws KinesisSinkException {
        if (fatal != null) {
            throw fatal;
        }
    }

    private static void notifyListener(ThrowingRunnable<Exception> callback) throws IOException {
        try {
            callback.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("sink write listener failed: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", resource, e);
            }
        }
    }

    /** For tests and diagnostics: entries accepted and not yet acknowledged. */
    int bufferedRecords() {
        return buffered;
    }

    private static final class Pending<T> implements KeyScheduler.Entry {
        final T element;
        final String key;
        final PutRecordsRequestEntry request;
        final int size;
        /** Null when the element is this one entry. */
        final EntryGroup group;

        int attempts;

        Pending(T element, String key, PutRecordsRequestEntry request, int size, EntryGroup group) {
            this.element = element;
            this.key = key;
            this.request = request;
            this.size = size;
            this.group = group;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** The entries of one element that became several: how many are not acknowledged yet. */
    private static final class EntryGroup {
        int unacknowledged;

        EntryGroup(int entries) {
            this.unacknowledged = entries;
        }
    }
}
