package io.kinesisha.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * Test producer: records {@code <key>:<counter>} with a per-key counter, so order and completeness can be
 * checked from the data itself. Remembers what the source acknowledged.
 */
public final class KeyedLoad {
    private final int keys;
    private final Map<String, Integer> nextCounter = new ConcurrentHashMap<>();
    private final List<String> acknowledged = new ArrayList<>();
    private int produced;

    public KeyedLoad(int keys) {
        this.keys = keys;
    }

    /** Writes {@code count} records in batches of up to 500; every entry must be acknowledged. */
    public synchronized void write(KinesisClient kinesis, String streamArn, int count) {
        for (int done = 0; done < count; ) {
            int size = Math.min(500, count - done);
            List<PutRecordsRequestEntry> batch = new ArrayList<>(size);
            List<String> payloads = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                String key = "key-" + (produced++ % keys);
                int counter = nextCounter.merge(key, 1, Integer::sum);
                String payload = KeyedPayload.id(key, counter);
                payloads.add(payload);
                batch.add(PutRecordsRequestEntry.builder().partitionKey(key)
                        .data(SdkBytes.fromString(payload, StandardCharsets.UTF_8)).build());
            }
            PutRecordsResponse response = kinesis.putRecords(b -> b.streamARN(streamArn).records(batch));
            if (response.failedRecordCount() != null && response.failedRecordCount() > 0) {
                throw new IllegalStateException(response.failedRecordCount() + " of " + size + " entries failed"
                        + " (the emulator never fails entries)");
            }
            acknowledged.addAll(payloads);
            done += size;
        }
    }

    public synchronized List<String> acknowledged() {
        return new ArrayList<>(acknowledged);
    }
}
