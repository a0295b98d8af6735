package io.kinesisha.controller.verify;

import java.util.Arrays;
import java.util.Base64;

/** One record as verify sees it: where it is, and what identifies it (partition key and bytes). */
public final class StreamRecord {
    final String shardId;
    final String sequenceNumber;
    final long arrivalEpochMillis;
    final String partitionKey;
    final byte[] data;

    StreamRecord(String shardId, String sequenceNumber, long arrivalEpochMillis, String partitionKey, byte[] data) {
        this.shardId = shardId;
        this.sequenceNumber = sequenceNumber;
        this.arrivalEpochMillis = arrivalEpochMillis;
        this.partitionKey = partitionKey;
        this.data = data;
    }

    /** Identity of a record's content: a copy in the other region has the same key and bytes. */
    String identity() {
        return partitionKey + '\u0000' + Base64.getEncoder().encodeToString(data);
    }

    /** A short printable form for examples in a report. */
    String describe() {
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        boolean printable = text.chars().allMatch(c -> c >= 32 && c < 127);
        String shown =
                printable ? text : Base64.getEncoder().encodeToString(Arrays.copyOf(data, Math.min(48, data.length)));
        if (shown.length() > 60) {
            shown = shown.substring(0, 60) + "...";
        }
        return "key=" + partitionKey + " data=" + shown + " (" + shardId + "@" + sequenceNumber + ")";
    }
}
