package io.kinesisha.replicator.aggregation;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the KPL aggregated record format: magic {@code F3 89 9A C2}, a protobuf {@code AggregatedRecord}
 * (partition key table, explicit hash key table, records of key indexes and data), and the MD5 of the protobuf
 * bytes as a 16-byte trailer.
 *
 * <p>Why the replicator needs it: an aggregate travels under its first user record's partition key, and Kinesis
 * never returns the explicit hash key it was put with. Copied as it is, an aggregate lands in whatever target
 * shard its outer key maps to, and a KCL consumer there discards every user record whose own hash falls outside
 * that shard; user records of one key in different aggregates also lose their order. Decoding lets the sink write
 * each user record under its own key.
 *
 * <p>Strict on purpose: only a record that carries the magic, matches its MD5, parses, has at least one user
 * record and whose every key index, partition key and explicit hash key is valid for PutRecords counts as an
 * aggregate. Anything else is a plain record and is copied byte-identical, so a consumer of the target sees
 * exactly what a consumer of the source saw (KCL applies the same magic and MD5 test). Protobuf parsing is
 * protobuf-java's {@link CodedInputStream} (unknown fields and per-record tags are skipped; KCL ignores tags too).
 */
public final class KplAggregate {
    /** The first bytes of every KPL aggregate. */
    static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    static final int DIGEST_BYTES = 16;
    /** Kinesis partition keys are 1 to 256 characters. */
    private static final int MAX_PARTITION_KEY_LENGTH = 256;

    private static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private static final int PARTITION_KEY_TABLE = 1;
    private static final int EXPLICIT_HASH_KEY_TABLE = 2;
    private static final int RECORDS = 3;
    private static final int RECORD_PARTITION_KEY_INDEX = 1;
    private static final int RECORD_EXPLICIT_HASH_KEY_INDEX = 2;
    private static final int RECORD_DATA = 3;

    private KplAggregate() {}

    /** True if {@code data} starts with the aggregate magic (it may still fail {@link #decode}). */
    public static boolean hasMagic(byte[] data) {
        if (data.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (data[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The user records of an aggregate in their order, or {@code null} if {@code data} is not a valid KPL aggregate
     * (then it is a plain record).
     */
    public static List<UserRecord> decode(byte[] data) {
        int bodyLength = data.length - MAGIC.length - DIGEST_BYTES;
        if (!hasMagic(data) || bodyLength <= 0) {
            return null;
        }
        byte[] digest = md5(data, MAGIC.length, bodyLength);
        if (!Arrays.equals(digest, 0, DIGEST_BYTES, data, data.length - DIGEST_BYTES, data.length)) {
            return null;
        }
        try {
            return parse(CodedInputStream.newInstance(data, MAGIC.length, bodyLength));
        } catch (IOException | InvalidRecord e) {
            return null;
        }
    }

    private static List<UserRecord> parse(CodedInputStream in) throws IOException {
        List<String> partitionKeys = new ArrayList<>();
        List<String> explicitHashKeys = new ArrayList<>();
        List<RawRecord> raw = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == lengthDelimited(PARTITION_KEY_TABLE)) {
                partitionKeys.add(in.readString());
            } else if (tag == lengthDelimited(EXPLICIT_HASH_KEY_TABLE)) {
                explicitHashKeys.add(in.readString());
            } else if (tag == lengthDelimited(RECORDS)) {
                int limit = in.pushLimit(in.readRawVarint32());
                raw.add(parseRecord(in));
                in.popLimit(limit);
            } else {
                skip(in, tag);
            }
        }
        if (raw.isEmpty()) {
            throw new InvalidRecord();
        }
        List<String> canonicalHashKeys = new ArrayList<>(explicitHashKeys.size());
        for (String key : explicitHashKeys) {
            canonicalHashKeys.add(canonicalHashKey(key));
        }
        List<UserRecord> records = new ArrayList<>(raw.size());
        for (RawRecord r : raw) {
            String partitionKey = at(partitionKeys, r.partitionKeyIndex);
            if (partitionKey.isEmpty() || partitionKey.length() > MAX_PARTITION_KEY_LENGTH) {
                throw new InvalidRecord();
            }
            String explicitHashKey = r.hasExplicitHashKey ? at(canonicalHashKeys, r.explicitHashKeyIndex) : null;
            if (r.hasExplicitHashKey && explicitHashKey == null) {
                throw new InvalidRecord();
            }
            records.add(new UserRecord(partitionKey, explicitHashKey, r.data));
        }
        return records;
    }

    private static RawRecord parseRecord(CodedInputStream in) throws IOException {
        RawRecord r = new RawRecord();
        boolean hasPartitionKey = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == tag(RECORD_PARTITION_KEY_INDEX, WireFormat.WIRETYPE_VARINT)) {
                r.partitionKeyIndex = in.readUInt64();
                hasPartitionKey = true;
            } else if (tag == tag(RECORD_EXPLICIT_HASH_KEY_INDEX, WireFormat.WIRETYPE_VARINT)) {
                r.explicitHashKeyIndex = in.readUInt64();
                r.hasExplicitHashKey = true;
            } else if (tag == lengthDelimited(RECORD_DATA)) {
                r.data = in.readByteArray();
            } else {
                skip(in, tag);
            }
        }
        if (!hasPartitionKey || r.data == null) {
            // both are required fields: KCL's parser rejects the whole aggregate without them
            throw new InvalidRecord();
        }
        return r;
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidRecord(); // an end-group tag without its group
        }
    }

    private static int lengthDelimited(int field) {
        return tag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    }

    /** A protobuf tag: field number and wire type, as {@link CodedInputStream#readTag()} returns it. */
    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    /** The entry at {@code index} (an unsigned 64-bit value); the aggregate is invalid if there is none. */
    private static String at(List<String> table, long index) {
        if (index < 0 || index >= table.size()) {
            throw new InvalidRecord();
        }
        return table.get((int) index);
    }

    /**
     * The hash key KCL derives from {@code key} ({@link BigInteger} syntax), in the form PutRecords accepts
     * ({@code 0|[1-9][0-9]{0,38}}, at most 2^128-1), or null if it has none.
     */
    private static String canonicalHashKey(String key) {
        if (key.length() > 64) {
            return null;
        }
        BigInteger value;
        try {
            value = new BigInteger(key);
        } catch (NumberFormatException e) {
            return null;
        }
        return value.signum() < 0 || value.compareTo(MAX_HASH_KEY) > 0 ? null : value.toString();
    }

    private static byte[] md5(byte[] data, int offset, int length) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(data, offset, length);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }

    private static final class RawRecord {
        long partitionKeyIndex;
        long explicitHashKeyIndex;
        boolean hasExplicitHashKey;
        byte[] data;
    }

    /** Not a valid aggregate; no stack trace, it is an expected outcome. */
    private static final class InvalidRecord extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidRecord() {
            super(null, null, false, false);
        }
    }
}
