package io.kinesisha.controller.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.controller.kcl.CheckpointTranslator.Rec;
import io.kinesisha.controller.kcl.CheckpointTranslator.SourceShard;
import io.kinesisha.controller.kcl.CheckpointTranslator.TargetLease;
import io.kinesisha.controller.kcl.CheckpointTranslator.TargetShard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTranslatorTest {

    @Test
    void eachTargetShardResumesJustBeforeItsFirstUnfinishedCopy() {
        // source shard: a1 b1 c1 a2 b2 c2, finished up to b1 (seq 2)
        SourceShard source = new SourceShard(
                "s0", List.of(rec("a", 1), rec("b", 2), rec("c", 3), rec("a", 4), rec("b", 5), rec("c", 6)));
        // target: a and c in t0, b in t1, interleaved differently from the source
        TargetShard t0 = open("t0", rec("c", 10), rec("a", 11), rec("a", 12), rec("c", 13));
        TargetShard t1 = open("t1", rec("b", 20), rec("b", 21));

        Map<String, Integer> finished =
                CheckpointTranslator.finished(List.of(source), Map.of("s0", new LeaseCheckpoint("2")));
        List<TargetLease> leases = CheckpointTranslator.translate(k -> finished.getOrDefault(k, 0), List.of(t0, t1));

        // c1 (10) is unfinished and first in t0: from the start, a1 (11) read again; b2 (21) is the first unfinished in
        // t1
        assertThat(leases.get(0).checkpoint()).isEqualTo("TRIM_HORIZON");
        assertThat(leases.get(0).duplicates()).isEqualTo(1);
        assertThat(leases.get(1).checkpoint()).isEqualTo("20");
        assertThat(leases).allSatisfy(l -> assertThat(l.skips()).isZero());
    }

    @Test
    void finishedShardsEndAndOpenShardsResumeAtTheirLastCopy() {
        SourceShard source = new SourceShard("s0", List.of(rec("a", 1), rec("b", 2)));
        TargetShard parent = new TargetShard("t0", List.of(), "0", "9", true, List.of(rec("a", 10)));
        TargetShard child = new TargetShard("t1", List.of("t0"), "0", "9", false, List.of(rec("b", 20)));
        TargetShard empty = open("t2");

        Map<String, Integer> finished = CheckpointTranslator.finished(
                List.of(source), Map.of("s0", new LeaseCheckpoint(LeaseCheckpoint.SHARD_END)));
        List<TargetLease> leases =
                CheckpointTranslator.translate(k -> finished.getOrDefault(k, 0), List.of(parent, child, empty));

        assertThat(leases).extracting(TargetLease::checkpoint).containsExactly("SHARD_END", "20", "TRIM_HORIZON");
        assertThat(leases.get(1).parentShardIds()).containsExactly("t0");
        assertThat(leases)
                .allSatisfy(l -> assertThat(l.duplicates() + l.skips()).isZero());
    }

    @Test
    void recordsBeforeTheComparedRegionCountAsFinished() {
        TargetShard t0 = open("t0", new Rec("a", "5", false), rec("a", 10), rec("a", 11));
        List<TargetLease> leases = CheckpointTranslator.translate(k -> 1, List.of(t0));
        assertThat(leases.get(0).checkpoint()).isEqualTo("10");
        assertThat(leases.get(0).duplicates()).isZero();
    }

    /**
     * Random streams: keys spread over two source shards, copied per key in order into three target shards with
     * re-sent runs (a replicator restart), the application stopped anywhere. Resuming every target shard after its
     * checkpoint must deliver every copied record the application had not finished, and duplicates are what the
     * leases say.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void resumingAfterTheCheckpointsLeavesNoGapPerKey(int seed) {
        Random random = new Random(seed);
        int keys = 1 + random.nextInt(12);
        List<List<Rec>> sourceShards = List.of(new ArrayList<>(), new ArrayList<>());
        Map<String, String> idOfSource = new HashMap<>();
        Map<String, List<String>> orderOfKey = new HashMap<>();
        int seq = 1;
        for (int i = 0; i < 60 + random.nextInt(60); i++) {
            String key = "k" + random.nextInt(keys);
            int shard = Math.floorMod(key.hashCode(), 2);
            String s = Integer.toString(seq++);
            sourceShards.get(shard).add(rec(key, Integer.parseInt(s)));
            idOfSource.put(
                    s,
                    key + "#"
                            + orderOfKey
                                    .computeIfAbsent(key, k -> new ArrayList<>())
                                    .size());
            orderOfKey.get(key).add(s);
        }
        Map<String, LeaseCheckpoint> leases = new HashMap<>();
        Set<String> finishedIds = new HashSet<>();
        for (int shard = 0; shard < 2; shard++) {
            List<Rec> records = sourceShards.get(shard);
            int upTo = random.nextInt(records.size() + 1);
            if (upTo > 0) {
                leases.put(
                        "s" + shard,
                        new LeaseCheckpoint(
                                upTo == records.size() && random.nextBoolean()
                                        ? LeaseCheckpoint.SHARD_END
                                        : records.get(upTo - 1).sequenceNumber()));
            }
            for (int i = 0; i < upTo; i++) {
                finishedIds.add(idOfSource.get(records.get(i).sequenceNumber()));
            }
        }
        // per key copy sequence, with a re-sent run now and then; then interleave keys at random per target shard
        Map<String, List<String>> copies = new HashMap<>();
        orderOfKey.forEach((key, seqs) -> {
            List<String> ids = new ArrayList<>();
            int replicated = random.nextInt(seqs.size() + 1);
            for (int i = 0; i < replicated; i++) {
                ids.add(idOfSource.get(seqs.get(i)));
                if (random.nextInt(10) == 0) {
                    int back = random.nextInt(i + 1);
                    for (int j = back; j <= i; j++) {
                        ids.add(idOfSource.get(seqs.get(j)));
                    }
                }
            }
            copies.put(key, ids);
        });
        Map<String, String> idOfTarget = new HashMap<>();
        List<TargetShard> target = new ArrayList<>();
        int targetSeq = 1000;
        for (int t = 0; t < 3; t++) {
            List<String> mine = new ArrayList<>();
            for (String key : copies.keySet()) {
                if (Math.floorMod(key.hashCode() * 31, 3) == t) {
                    mine.add(key);
                }
            }
            Map<String, Integer> next = new HashMap<>();
            List<Rec> records = new ArrayList<>();
            List<String> pending = new ArrayList<>(mine);
            while (!pending.isEmpty()) {
                String key = pending.get(random.nextInt(pending.size()));
                int i = next.merge(key, 1, Integer::sum) - 1;
                if (i >= copies.get(key).size()) {
                    pending.remove(key);
                    continue;
                }
                String s = Integer.toString(targetSeq++);
                records.add(new Rec(key, s, true));
                idOfTarget.put(s, copies.get(key).get(i));
            }
            target.add(new TargetShard("t" + t, List.of(), "0", "1", false, records));
        }

        Map<String, Integer> finished = CheckpointTranslator.finished(
                List.of(new SourceShard("s0", sourceShards.get(0)), new SourceShard("s1", sourceShards.get(1))),
                leases);
        List<TargetLease> result = CheckpointTranslator.translate(k -> finished.getOrDefault(k, 0), target);

        Set<String> delivered = new HashSet<>(finishedIds);
        long duplicates = 0;
        for (int t = 0; t < 3; t++) {
            String checkpoint = result.get(t).checkpoint();
            for (Rec r : target.get(t).records()) {
                boolean after = checkpoint.equals("TRIM_HORIZON")
                        || !checkpoint.equals("SHARD_END")
                                && Long.parseLong(r.sequenceNumber()) > Long.parseLong(checkpoint);
                if (after) {
                    duplicates += delivered.add(idOfTarget.get(r.sequenceNumber())) ? 0 : 1;
                }
            }
            assertThat(result.get(t).skips()).isZero();
        }
        Set<String> allCopied = new HashSet<>(idOfTarget.values());
        assertThat(delivered).containsAll(allCopied);
        assertThat(result.stream().mapToLong(TargetLease::duplicates).sum())
                .isGreaterThanOrEqualTo(duplicates - countResent(target, idOfTarget));
    }

    private static long countResent(List<TargetShard> target, Map<String, String> idOfTarget) {
        Set<String> seen = new HashSet<>();
        long resent = 0;
        for (TargetShard shard : target) {
            for (Rec r : shard.records()) {
                resent += seen.add(idOfTarget.get(r.sequenceNumber())) ? 0 : 1;
            }
        }
        return resent;
    }

    private static Rec rec(String key, int seq) {
        return new Rec(key, Integer.toString(seq), true);
    }

    private static TargetShard open(String id, Rec... records) {
        return new TargetShard(id, List.of(), "0", "1", false, List.of(records));
    }
}
