package io.kinesisha.common.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SequenceNumbersTest {

    @Test
    void ordersAsNumbersNotAsText() {
        assertThat(SequenceNumbers.compare("9", "10")).isNegative();
        assertThat(SequenceNumbers.compare("10", "9")).isPositive();
        assertThat(SequenceNumbers.compare("0010", "10")).isZero();
        assertThat(SequenceNumbers.compare("0", "000")).isZero();
        assertThat(SequenceNumbers.max(
                        "49600000000000000000000000000000000000000000000000000002",
                        "49600000000000000000000000000000000000000000000000000010"))
                .isEqualTo("49600000000000000000000000000000000000000000000000000010");
    }

    @Test
    void agreesWithBigIntegerOnRandomSequenceNumbers() {
        Random random = new Random(42);
        for (int n = 0; n < 10_000; n++) {
            BigInteger a = new BigInteger(1 + random.nextInt(128), random);
            BigInteger b = random.nextInt(4) == 0 ? a : new BigInteger(1 + random.nextInt(128), random);
            String left = random.nextBoolean() ? a.toString() : "00" + a;
            assertThat(Integer.signum(SequenceNumbers.compare(left, b.toString())))
                    .as("%s vs %s", left, b)
                    .isEqualTo(a.compareTo(b));
        }
    }
}
