DROP TABLE IF EXISTS "_dwh_stage_dim_currency";
CREATE TEMP TABLE "_dwh_stage_dim_currency" ("currency_id" int, "currency_code" varchar(65535), "currency_name" varchar(65535));
COPY "_dwh_stage_dim_currency" FROM 's3://dwh-processed/totesys/_load/redshift/20261121T102233123Z-1a2b3c4d/dim_currency.manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/dwh-load' FORMAT AS PARQUET MANIFEST;
SELECT count(*) - count("currency_id"), count(*) - count("currency_code"), count(*) - count("currency_name") FROM "_dwh_stage_dim_currency";
SELECT coalesce("currency_id"::text, 'NULL') FROM "_dwh_stage_dim_currency" WHERE "currency_id" IS NULL LIMIT 5;
SELECT coalesce("currency_id"::text, 'NULL') FROM "_dwh_stage_dim_currency" WHERE "currency_code" IS NULL LIMIT 5;
SELECT coalesce("currency_id"::text, 'NULL') FROM "_dwh_stage_dim_currency" WHERE "currency_name" IS NULL LIMIT 5;
SELECT coalesce("currency_id"::text, 'NULL'), count(*) FROM "_dwh_stage_dim_currency" GROUP BY "currency_id" HAVING count(*) > 1 ORDER BY "currency_id" LIMIT 5;
MERGE INTO "dim_currency" USING "_dwh_stage_dim_currency" s ON "dim_currency"."currency_id" = s."currency_id" WHEN MATCHED THEN UPDATE SET "currency_code" = s."currency_code", "currency_name" = s."currency_name" WHEN NOT MATCHED THEN INSERT ("currency_id", "currency_code", "currency_name") VALUES (s."currency_id", s."currency_code", s."currency_name");
