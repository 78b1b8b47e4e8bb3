#include "dwh/core/error_codes.hpp"

#include <algorithm>
#include <array>

namespace dwh::core {
namespace {

// Every code dwh itself raises, sorted by code. docs/errors.md documents each one, and the unit
// test ErrorCodes.* fails when a code raised in the sources is missing here or there.
constexpr std::array kCodes = {
    ErrorCodeInfo{"AccessDenied", ErrorKind::Permanent,
                  "The store or service refused the credentials' access to a bucket, object or secret (S3's "
                  "own code; also our file store's answer for EACCES/EPERM is PermissionDenied)."},
    ErrorCodeInfo{"AuthFailed", ErrorKind::BadInput,
                  "PostgreSQL refused the user name or password in the database URL or secret."},
    ErrorCodeInfo{"BadCopyData", ErrorKind::Permanent,
                  "A COPY stream from the source had a row with the wrong number of fields; nothing of that "
                  "table is landed."},
    ErrorCodeInfo{"BadRecord", ErrorKind::BadInput,
                  "A landed JSON-lines record cannot be parsed or converted to the model's type (object and "
                  "line named); transform --quarantine sets such records aside instead."},
    ErrorCodeInfo{"BinarySecret", ErrorKind::BadInput,
                  "The Secrets Manager secret holds SecretBinary; dwh reads only SecretString JSON."},
    ErrorCodeInfo{"BodyNotRewindable", ErrorKind::Internal,
                  "A request body could not be rewound after hashing it for SigV4."},
    ErrorCodeInfo{"CheckFailed", ErrorKind::Permanent,
                  "A load-time check on the staged rows failed (a NULL in a NOT NULL column, a duplicate "
                  "natural key, a foreign key without a row); the load is rolled back whole."},
    ErrorCodeInfo{"ChecksumMismatch", ErrorKind::Permanent,
                  "An object's bytes differ from the SHA-256 or size its manifest recorded: the object was "
                  "changed or truncated after it was committed."},
    ErrorCodeInfo{"ClockBehind", ErrorKind::Permanent,
                  "This machine's clock is behind the newest committed run in the store, so a new run id "
                  "would sort before it; fix the clock (NTP) and run again."},
    ErrorCodeInfo{"ClusterStartFailed", ErrorKind::Permanent,
                  "The throwaway PostgreSQL cluster (`dwh local up`, tests) could not be initialised or "
                  "started; the message carries the tool's output."},
    ErrorCodeInfo{"ClusterStopFailed", ErrorKind::Permanent,
                  "The throwaway PostgreSQL cluster could not be stopped."},
    ErrorCodeInfo{"CompressionFailed", ErrorKind::Internal,
                  "A compression or decompression library call failed on data we produced or verified."},
    ErrorCodeInfo{"CompressionUnavailable", ErrorKind::BadInput,
                  "The requested compression (zstd) is not built into this dwh."},
    ErrorCodeInfo{"ConfigParseError", ErrorKind::BadInput,
                  "An AWS shared config or credentials file has a syntax error (file and line named)."},
    ErrorCodeInfo{"ConfigReadError", ErrorKind::BadInput,
                  "A configuration file named on the command line or in DWH_* cannot be read."},
    ErrorCodeInfo{"ConnectFailed", ErrorKind::Transient,
                  "A TCP connection to a server (AWS endpoint or PostgreSQL) could not be established."},
    ErrorCodeInfo{"ConnectionError", ErrorKind::Transient,
                  "libpq lost the connection or could not use it, and the server gave no SQLSTATE (server "
                  "gone, socket closed)."},
    ErrorCodeInfo{"ConnectionRefused", ErrorKind::Transient,
                  "The server refused the TCP connection (nothing listening on that port)."},
    ErrorCodeInfo{"ConnectionReset", ErrorKind::Transient,
                  "The connection broke while sending or receiving."},
    ErrorCodeInfo{"ContainerAuthorizationToken", ErrorKind::BadInput,
                  "The container credentials authorization token file cannot be read."},
    ErrorCodeInfo{"ContainerCredentialsError", ErrorKind::Transient,
                  "The container credentials endpoint answered with an error."},
    ErrorCodeInfo{"ContainerCredentialsUnavailable", ErrorKind::Transient,
                  "The container credentials endpoint failed on every attempt (5xx or no answer)."},
    ErrorCodeInfo{"CopyFailed", ErrorKind::Permanent,
                  "PostgreSQL or Redshift rejected a COPY into the warehouse staging table; the load is "
                  "rolled back whole."},
    ErrorCodeInfo{"DatabaseError", ErrorKind::Permanent,
                  "A PostgreSQL statement failed for a reason other than the named ones (the server's "
                  "message is kept)."},
    ErrorCodeInfo{"DeleteFailed", ErrorKind::Permanent, "An object is still listed after being deleted."},
    ErrorCodeInfo{"DemoFailed", ErrorKind::Permanent, "`dwh demo` could not prepare its databases."},
    ErrorCodeInfo{"DnsFailure", ErrorKind::Transient, "A host name could not be resolved."},
    ErrorCodeInfo{"ExpectationFailed", ErrorKind::BadInput,
                  "Landed data break a model expectation (a unique or not-null key, a lookup without a "
                  "match); the table named is not transformed."},
    ErrorCodeInfo{"ExpiredCredentials", ErrorKind::BadInput, "The credentials found have already expired."},
    ErrorCodeInfo{"FileNotFound", ErrorKind::BadInput, "A file named on the command line does not exist."},
    ErrorCodeInfo{"IncompatibleWarehouseSchema", ErrorKind::BadInput,
                  "The warehouse already has a table or column of the model's name with another type or key; "
                  "dwh never drops or retypes warehouse objects."},
    ErrorCodeInfo{"IngestFailed", ErrorKind::Internal,
                  "The ingest job stopped on an unexpected exception (its message is kept)."},
    ErrorCodeInfo{"IntegrityError", ErrorKind::Permanent,
                  "An S3 object's MD5 or SHA-256 differs from what was sent or announced."},
    ErrorCodeInfo{"InternalError", ErrorKind::Internal,
                  "A library call that cannot fail on valid state failed (out of memory in OpenSSL, ...)."},
    ErrorCodeInfo{"InvalidArgument", ErrorKind::BadInput,
                  "A command-line value, option combination or API argument is invalid (the option and value "
                  "are named)."},
    ErrorCodeInfo{"InvalidBucketName", ErrorKind::BadInput, "An S3 bucket name breaks S3's naming rules."},
    ErrorCodeInfo{
        "InvalidConfig", ErrorKind::BadInput,
        "A dataset configuration (models/<dataset>/ingest.json) is invalid (file, table and key named)."},
    ErrorCodeInfo{"InvalidContainerCredentialsUri", ErrorKind::BadInput,
                  "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an allowed loopback or HTTPS URI."},
    ErrorCodeInfo{"InvalidCredentialExpiration", ErrorKind::Permanent,
                  "A credentials document's Expiration is not an ISO-8601 time."},
    ErrorCodeInfo{"InvalidCredentialsDocument", ErrorKind::Permanent,
                  "A credentials endpoint answered a document without the expected fields."},
    ErrorCodeInfo{"InvalidDatabaseSecret", ErrorKind::BadInput,
                  "The Secrets Manager secret for a database lacks the fields of a database URL."},
    ErrorCodeInfo{
        "InvalidDatabaseUrl", ErrorKind::BadInput,
        "A database URL or keyword string cannot be parsed (the password is masked in the message)."},
    ErrorCodeInfo{"InvalidEndpoint", ErrorKind::BadInput,
                  "An endpoint URL (DWH_AWS_ENDPOINT_URL, --endpoint-url) is not a valid http(s) URL."},
    ErrorCodeInfo{"InvalidImdsEndpoint", ErrorKind::BadInput,
                  "AWS_EC2_METADATA_SERVICE_ENDPOINT is not a valid URL."},
    ErrorCodeInfo{"InvalidImdsSetting", ErrorKind::BadInput, "An EC2 instance metadata setting is invalid."},
    ErrorCodeInfo{"InvalidKey", ErrorKind::BadInput, "An S3 object key is empty or not valid UTF-8."},
    ErrorCodeInfo{"InvalidParameterException", ErrorKind::BadInput,
                  "A Secrets Manager request parameter is invalid (the service's own code, also raised "
                  "before sending)."},
    ErrorCodeInfo{"InvalidRegion", ErrorKind::BadInput, "An AWS region name is malformed."},
    ErrorCodeInfo{"InvalidRequestText", ErrorKind::BadInput,
                  "A `dwh aws sign` request file is not a valid HTTP request."},
    ErrorCodeInfo{"InvalidState", ErrorKind::Permanent,
                  "The local cluster's state file is unreadable; delete it and run `dwh local up`."},
    ErrorCodeInfo{"InvalidStoreUrl", ErrorKind::BadInput,
                  "A store URL (s3://bucket/prefix or file:///path) is malformed."},
    ErrorCodeInfo{"KeyTooLongError", ErrorKind::BadInput, "An S3 object key exceeds 1,024 bytes of UTF-8."},
    ErrorCodeInfo{
        "LandingCorrupt", ErrorKind::Permanent,
        "A landed object is not what its ingest manifest describes (missing, unreadable, different bytes)."},
    ErrorCodeInfo{"LoadFailed", ErrorKind::Internal,
                  "The load job stopped on an unexpected exception (its message is kept)."},
    ErrorCodeInfo{"LocalIOError", ErrorKind::Permanent,
                  "A local file operation failed (the path and the system's reason are named)."},
    ErrorCodeInfo{"MalformedResponse", ErrorKind::Transient,
                  "A service answered with a body that cannot be parsed."},
    ErrorCodeInfo{"MalformedXML", ErrorKind::Transient, "A service answered with XML that cannot be parsed."},
    ErrorCodeInfo{"ManifestGap", ErrorKind::Permanent,
                  "The chain of manifests has a gap or a fork: a run's previous_run is not the last run the "
                  "reader knows."},
    ErrorCodeInfo{"ManifestInvalid", ErrorKind::Permanent,
                  "A manifest in a store cannot be parsed or lacks a field."},
    ErrorCodeInfo{"ModelError", ErrorKind::BadInput,
                  "A model file (models/<dataset>/*.toml, views) is invalid (file, table and key named)."},
    ErrorCodeInfo{"Network", ErrorKind::Transient,
                  "A network error not covered by the other transport codes."},
    ErrorCodeInfo{
        "NoBaseData", ErrorKind::BadInput,
        "`dwh source simulate` found no generated rows to change; run `dwh source generate` first."},
    ErrorCodeInfo{
        "NoCredentials", ErrorKind::BadInput,
        "No AWS credentials were found by any provider of the chain (each provider's reason is listed)."},
    ErrorCodeInfo{"NoCursorColumn", ErrorKind::BadInput,
                  "A source table has no cursor column (last_updated or the configured one)."},
    ErrorCodeInfo{"NoDatabaseConfigured", ErrorKind::BadInput,
                  "No database URL was given (flag, DWH_* variable, secret or PG* environment)."},
    ErrorCodeInfo{"NoHttpClient", ErrorKind::Internal,
                  "A credentials provider was built without an HTTP client."},
    ErrorCodeInfo{"NoRegion", ErrorKind::BadInput,
                  "No AWS region is configured (AWS_REGION, AWS_DEFAULT_REGION or the profile)."},
    ErrorCodeInfo{"NoSuchBucket", ErrorKind::BadInput, "The S3 bucket does not exist (S3's own code)."},
    ErrorCodeInfo{"NoSuchColumn", ErrorKind::BadInput,
                  "A column named in the configuration (cursor or key) is not in the source table."},
    ErrorCodeInfo{"NoSuchDatabase", ErrorKind::BadInput,
                  "The database named in the URL does not exist on the server."},
    ErrorCodeInfo{"NoSuchKey", ErrorKind::Permanent,
                  "An object the run needs does not exist (S3's own code; our file store answers the same)."},
    ErrorCodeInfo{"NoSuchTable", ErrorKind::BadInput,
                  "A table named in the configuration is not in the source database."},
    ErrorCodeInfo{"NotEmpty", ErrorKind::BadInput,
                  "`dwh source generate` refuses a database that already holds rows."},
    ErrorCodeInfo{"ParquetCompression", ErrorKind::Internal,
                  "A Parquet page could not be compressed or decompressed by its codec."},
    ErrorCodeInfo{
        "ParquetCorrupt", ErrorKind::Permanent,
        "A Parquet file's footer, pages or values are inconsistent (file, row group and column named)."},
    ErrorCodeInfo{"ParquetInvalidOptions", ErrorKind::Internal,
                  "The Parquet writer was given invalid options."},
    ErrorCodeInfo{"ParquetNoData", ErrorKind::Internal,
                  "A Parquet reader opened from its footer only was asked for row data."},
    ErrorCodeInfo{"ParquetNoSuchRowGroup", ErrorKind::Internal, "A Parquet row group index is out of range."},
    ErrorCodeInfo{"ParquetSchemaInvalid", ErrorKind::Internal,
                  "A Parquet schema we build is invalid (a bug in the model's mapping)."},
    ErrorCodeInfo{"ParquetSchemaMismatch", ErrorKind::Permanent,
                  "A Parquet file's schema differs from the model's."},
    ErrorCodeInfo{"ParquetUnsupported", ErrorKind::Permanent,
                  "A Parquet file uses a feature our reader does not implement (named)."},
    ErrorCodeInfo{"ParquetValueOutOfRange", ErrorKind::Internal,
                  "A value does not fit its Parquet physical type."},
    ErrorCodeInfo{"ParquetWriterClosed", ErrorKind::Internal,
                  "A Parquet writer was used after it was closed."},
    ErrorCodeInfo{"ParquetWriterFailed", ErrorKind::Internal,
                  "A Parquet writer stopped after an earlier failure."},
    ErrorCodeInfo{"PartialCredentials", ErrorKind::BadInput,
                  "An access key id was given without its secret key, or the reverse."},
    ErrorCodeInfo{"PathTooLong", ErrorKind::BadInput,
                  "A unix socket path for the local cluster would exceed the system's limit."},
    ErrorCodeInfo{"PermissionDenied", ErrorKind::Permanent,
                  "The file system or database refused access (the path or object is named)."},
    ErrorCodeInfo{"PipelineFailed", ErrorKind::Permanent,
                  "A step of `dwh run` failed; the step is named and its own error is logged before."},
    ErrorCodeInfo{"PostgresNotInstalled", ErrorKind::BadInput,
                  "PostgreSQL 15's server binaries were not found (install postgresql-15)."},
    ErrorCodeInfo{"ProfileNotFound", ErrorKind::BadInput,
                  "The AWS profile named by AWS_PROFILE or --profile is not in the config files."},
    ErrorCodeInfo{"SchemaChanged", ErrorKind::BadInput,
                  "A source table's columns changed since the last ingest (--accept-added-columns accepts "
                  "added ones)."},
    ErrorCodeInfo{"SchemaDrift", ErrorKind::BadInput,
                  "Landed records have columns the model does not know, or lack ones it needs."},
    ErrorCodeInfo{"SchemaMismatch", ErrorKind::BadInput,
                  "The database's totesys schema differs from the reference (the difference is named)."},
    ErrorCodeInfo{"SchemaMissing", ErrorKind::BadInput,
                  "The database lacks the totesys schema; run `dwh source init` first."},
    ErrorCodeInfo{"SimulationFailed", ErrorKind::Permanent,
                  "`dwh source simulate` stopped on a database error."},
    ErrorCodeInfo{"SourceError", ErrorKind::Permanent,
                  "A statement on the source database failed (the server's message is kept)."},
    ErrorCodeInfo{
        "Stopped", ErrorKind::Internal,
        "A table's work stopped because another table failed first; the first failure is the one reported."},
    ErrorCodeInfo{"StoreError", ErrorKind::Permanent,
                  "A store operation failed (the object and the reason are named)."},
    ErrorCodeInfo{"StoreUnavailable", ErrorKind::Transient,
                  "The store cannot be reached (its bucket is missing or the network failed)."},
    ErrorCodeInfo{"Timeout", ErrorKind::Transient, "A request made no progress within its timeout."},
    ErrorCodeInfo{"TlsError", ErrorKind::Transient, "The TLS handshake or stream failed."},
    ErrorCodeInfo{"TooManyParts", ErrorKind::BadInput,
                  "A multipart upload would need more than 10,000 parts at this part size."},
    ErrorCodeInfo{"TransformFailed", ErrorKind::Internal,
                  "The transform job stopped on an unexpected library failure (its message is kept)."},
    ErrorCodeInfo{"UnknownStoreScheme", ErrorKind::BadInput,
                  "A store URL has a scheme other than s3:// or file://."},
    ErrorCodeInfo{"Unreachable", ErrorKind::BadInput,
                  "The PostgreSQL server in the database URL cannot be reached (check host and port)."},
    ErrorCodeInfo{"Usage", ErrorKind::BadInput, "The command line is not valid for this command."},
    ErrorCodeInfo{"WarehouseError", ErrorKind::Permanent,
                  "A statement on the warehouse failed (the server's message is kept)."},
    ErrorCodeInfo{"WarehouseNotInitialized", ErrorKind::BadInput,
                  "The warehouse has no dwh schema; run `dwh warehouse init` first."},
    ErrorCodeInfo{"WriteFailed", ErrorKind::Permanent,
                  "A local file could not be written (the path is named)."},
};

constexpr bool sorted_and_unique() {
  for (std::size_t i = 1; i < kCodes.size(); ++i) {
    if (!(kCodes[i - 1].code < kCodes[i].code)) return false;
  }
  return true;
}
static_assert(sorted_and_unique(), "kCodes must be sorted by code, each code once");

}  // namespace

std::span<const ErrorCodeInfo> error_codes() {
  return kCodes;
}

const ErrorCodeInfo* find_error_code(std::string_view code) {
  const auto* it =
      std::lower_bound(kCodes.begin(), kCodes.end(), code,
                       [](const ErrorCodeInfo& info, std::string_view c) { return info.code < c; });
  return it != kCodes.end() && it->code == code ? &*it : nullptr;
}

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::BadInput:
      return "bad-input";
    case ErrorKind::Transient:
      return "transient";
    case ErrorKind::Permanent:
      return "permanent";
    case ErrorKind::Internal:
      return "internal";
  }
  return "internal";
}

int exit_code(const Error& error) {
  return error.kind() == ErrorKind::BadInput ? kExitBadInput : kExitFailure;
}

}  // namespace dwh::core
