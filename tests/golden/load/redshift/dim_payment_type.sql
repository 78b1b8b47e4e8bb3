DROP TABLE IF EXISTS "_dwh_stage_dim_payment_type";
CREATE TEMP TABLE "_dwh_stage_dim_payment_type" ("payment_type_id" int, "payment_type_name" varchar(65535));
COPY "_dwh_stage_dim_payment_type" FROM 's3://dwh-processed/totesys/_load/redshift/20261121T102233123Z-1a2b3c4d/dim_payment_type.manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/dwh-load' FORMAT AS PARQUET MANIFEST;
SELECT count(*) - count("payment_type_id"), count(*) - count("payment_type_name") FROM "_dwh_stage_dim_payment_type";
SELECT coalesce("payment_type_id"::text, 'NULL') FROM "_dwh_stage_dim_payment_type" WHERE "payment_type_id" IS NULL LIMIT 5;
SELECT coalesce("payment_type_id"::text, 'NULL') FROM "_dwh_stage_dim_payment_type" WHERE "payment_type_name" IS NULL LIMIT 5;
SELECT coalesce("payment_type_id"::text, 'NULL'), count(*) FROM "_dwh_stage_dim_payment_type" GROUP BY "payment_type_id" HAVING count(*) > 1 ORDER BY "payment_type_id" LIMIT 5;
MERGE INTO "dim_payment_type" USING "_dwh_stage_dim_payment_type" s ON "dim_payment_type"."payment_type_id" = s."payment_type_id" WHEN MATCHED THEN UPDATE SET "payment_type_name" = s."payment_type_name" WHEN NOT MATCHED THEN INSERT ("payment_type_id", "payment_type_name") VALUES (s."payment_type_id", s."payment_type_name");
