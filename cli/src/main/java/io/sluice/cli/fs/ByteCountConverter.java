package io.sluice.cli.fs;

import io.sluice.common.conf.ByteSize;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A byte count as configuration writes sizes ({@code 100}, {@code 4k}, {@code 1m}); a bad one is a usage error. */
final class ByteCountConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return ByteSize.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a byte count (e.g. 100, 4k, 1m)");
    }
  }
}
