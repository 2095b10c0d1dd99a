package dev.tsunagu.cli.tools;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpPrefix;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option types checked while parsing, so a bad value is a usage error (exit 2) naming the option. */
final class Converters {
    private Converters() {}

    /** {@code ADDR/LEN} of either family, e.g. {@code 10.0.0.2/24} or {@code fd00::2/64}. */
    public static final class Prefix implements ITypeConverter<IpPrefix> {
        @Override
        public IpPrefix convert(String value) {
            if (!value.contains("/")) {
                throw new TypeConversionException("want ADDR/LEN (e.g. 10.0.0.2/24 or fd00::2/64), not '" + value + "'");
            }
            try {
                return IpPrefix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An address of either family, {@code 10.0.0.254} or {@code fd00::1} (brackets allowed). */
    public static final class Address implements ITypeConverter<IpAddress> {
        @Override
        public IpAddress convert(String value) {
            java.net.InetAddress a = Addresses.literal(value);
            if (a == null) {
                throw new TypeConversionException("not an IP address (want a.b.c.d or an IPv6 one): " + value);
            }
            return IpAddress.of(a);
        }
    }

    /** Seconds, fractions allowed ({@code 0.2}). */
    public static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            double s;
            try {
                s = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("want seconds (e.g. 1 or 0.2), not '" + value + "'");
            }
            if (!(s >= 0) || s > 86_400 * 365) {
                throw new TypeConversionException("want a number of seconds from 0, not '" + value + "'");
            }
            return Duration.ofNanos((long) (s * 1e9));
        }
    }

    /** A port, 1-65535. */
    public static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int p;
            try {
                p = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("want a port number 1-65535, not '" + value + "'");
            }
            if (p < 1 || p > 65535) {
                throw new TypeConversionException("want a port number 1-65535, not " + p);
            }
            return p;
        }
    }
}
