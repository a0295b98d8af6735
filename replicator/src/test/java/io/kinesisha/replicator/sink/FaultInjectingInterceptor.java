package io.kinesisha.replicator.sink;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Makes the emulator behave like a throttled Kinesis: a seeded share of PutRecords entries is removed from the
 * request before it is sent (so they are really not written) and reported back as
 * ProvisionedThroughputExceededException at their original positions; now and then a whole request fails with a
 * throttling exception before anything is sent. Counters are static: the sink builds its client on the task
 * manager, which in a MiniCluster is this JVM.
 */
final class FaultInjectingInterceptor implements ExecutionInterceptor {
    static final AtomicLong INJECTED_ENTRY_FAILURES = new AtomicLong();
    static final AtomicLong INJECTED_REQUEST_FAILURES = new AtomicLong();
    static final AtomicLong REQUESTS = new AtomicLong();
    /** Data of every entry reported failed (to show failures hit keys that had later records). */
    static final ConcurrentLinkedQueue<String> FAILED_DATA = new ConcurrentLinkedQueue<>();
    /** Data of every entry the target acknowledged, recorded before the sink hears of it. */
    static final Set<String> ACKNOWLEDGED_DATA = ConcurrentHashMap.newKeySet();

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final ExecutionAttribute<boolean[]> DROPPED = new ExecutionAttribute<>("injectedDrops");
    private static final ExecutionAttribute<List<PutRecordsRequestEntry>> SENT =
            new ExecutionAttribute<>("sentEntries");

    private final double entryFailureRate;
    private final double requestFailureRate;
    private final Random random;

    FaultInjectingInterceptor(double entryFailureRate, double requestFailureRate, long seed) {
        this.entryFailureRate = entryFailureRate;
        this.requestFailureRate = requestFailureRate;
        // one seeded sequence per client (per writer), deterministic for a given creation order
        this.random = new Random(seed + 7919L * INSTANCES.getAndIncrement());
    }

    static void reset() {
        INJECTED_ENTRY_FAILURES.set(0);
        INJECTED_REQUEST_FAILURES.set(0);
        REQUESTS.set(0);
        FAILED_DATA.clear();
        ACKNOWLEDGED_DATA.clear();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof PutRecordsRequest)) {
            return context.request();
        }
        PutRecordsRequest request = (PutRecordsRequest) context.request();
        REQUESTS.incrementAndGet();
        boolean[] drop;
        synchronized (random) {
            if (random.nextDouble() < requestFailureRate) {
                INJECTED_REQUEST_FAILURES.incrementAndGet();
                throw (ProvisionedThroughputExceededException) ProvisionedThroughputExceededException.builder()
                        .message("Rate exceeded for stream (injected)")
                        .statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("ProvisionedThroughputExceededException")
                                .errorMessage("Rate exceeded for stream (injected)")
                                .serviceName("Kinesis")
                                .build())
                        .build();
            }
            drop = new boolean[request.records().size()];
            for (int i = 0; i < drop.length; i++) {
                drop[i] = random.nextDouble() < entryFailureRate;
            }
        }
        List<PutRecordsRequestEntry> kept = new ArrayList<>();
        for (int i = 0; i < drop.length; i++) {
            if (!drop[i]) {
                kept.add(request.records().get(i));
            }
        }
        if (kept.isEmpty()) {
            // PutRecords needs at least one entry: let the first one through
            drop[0] = false;
            kept.add(request.records().get(0));
        }
        for (int i = 0; i < drop.length; i++) {
            if (drop[i]) {
                INJECTED_ENTRY_FAILURES.incrementAndGet();
                FAILED_DATA.add(request.records().get(i).data().asUtf8String());
            }
        }
        attributes.putAttribute(DROPPED, drop);
        attributes.putAttribute(SENT, kept);
        return request.toBuilder().records(kept).build();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        boolean[] drop = attributes.getAttribute(DROPPED);
        if (drop == null || !(context.response() instanceof PutRecordsResponse)) {
            return context.response();
        }
        PutRecordsResponse response = (PutRecordsResponse) context.response();
        List<PutRecordsRequestEntry> sent = attributes.getAttribute(SENT);
        for (int i = 0; i < response.records().size(); i++) {
            if (response.records().get(i).errorCode() == null) {
                ACKNOWLEDGED_DATA.add(sent.get(i).data().asUtf8String());
            }
        }
        Iterator<PutRecordsResultEntry> written = response.records().iterator();
        List<PutRecordsResultEntry> results = new ArrayList<>(drop.length);
        int failures = 0;
        for (boolean dropped : drop) {
            if (dropped) {
                failures++;
                results.add(PutRecordsResultEntry.builder()
                        .errorCode("ProvisionedThroughputExceededException")
                        .errorMessage("Rate exceeded for shard (injected)")
                        .build());
            } else {
                results.add(written.next());
            }
        }
        int previouslyFailed = response.failedRecordCount() == null ? 0 : response.failedRecordCount();
        return response.toBuilder()
                .records(results)
                .failedRecordCount(previouslyFailed + failures)
                .build();
    }
}
