package io.kinesisha.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * KPL aggregated records, as the KPL writes them: magic, an AggregatedRecord protobuf (partition key table, records
 * pointing into it), the protobuf's MD5. Written here by hand (a few varints) so the benchmark needs no protobuf.
 */
final class KplAggregates {
    private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    private KplAggregates() {}

    /** One aggregate of {@code keys.size()} user records, the i-th with key {@code keys[i]} and {@code data}. */
    static byte[] aggregate(List<String> keys, byte[] data) {
        ByteArrayOutputStream proto = new ByteArrayOutputStream();
        for (String key : keys) {
            bytesField(proto, 1, key.getBytes(StandardCharsets.UTF_8)); // partition_key_table
        }
        for (int i = 0; i < keys.size(); i++) {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            varintField(record, 1, i); // partition_key_index
            bytesField(record, 3, data); // data
            bytesField(proto, 3, record.toByteArray()); // records
        }
        byte[] body = proto.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(body);
        try {
            out.writeBytes(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void varintField(ByteArrayOutputStream out, int field, long value) {
        varint(out, (long) field << 3);
        varint(out, value);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        varint(out, ((long) field << 3) | 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
