package dev.tsunagu.cli.tools;

import dev.tsunagu.net.Ipv4Address;
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

    /** A dotted IPv4 address (an IPv6 literal is recognised and refused). */
    public static final class Address implements ITypeConverter<Ipv4Address> {
        @Override
        public Ipv4Address convert(String value) {
            try {
                return Ipv4Address.of(Addresses.ipv4(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
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
