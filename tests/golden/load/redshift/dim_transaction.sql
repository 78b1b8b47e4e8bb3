DROP TABLE IF EXISTS "_dwh_stage_dim_transaction";
CREATE TEMP TABLE "_dwh_stage_dim_transaction" ("transaction_id" int, "transaction_type" varchar(65535), "sales_order_id" int, "purchase_order_id" int);
COPY "_dwh_stage_dim_transaction" FROM 's3://dwh-processed/totesys/_load/redshift/20261121T102233123Z-1a2b3c4d/dim_transaction.manifest' IAM_ROLE 'arn:aws:iam::123456789012:role/dwh-load' FORMAT AS PARQUET MANIFEST;
SELECT count(*) - count("transaction_id"), count(*) - count("transaction_type") FROM "_dwh_stage_dim_transaction";
SELECT coalesce("transaction_id"::text, 'NULL') FROM "_dwh_stage_dim_transaction" WHERE "transaction_id" IS NULL LIMIT 5;
SELECT coalesce("transaction_id"::text, 'NULL') FROM "_dwh_stage_dim_transaction" WHERE "transaction_type" IS NULL LIMIT 5;
SELECT coalesce("transaction_id"::text, 'NULL'), count(*) FROM "_dwh_stage_dim_transaction" GROUP BY "transaction_id" HAVING count(*) > 1 ORDER BY "transaction_id" LIMIT 5;
MERGE INTO "dim_transaction" USING "_dwh_stage_dim_transaction" s ON "dim_transaction"."transaction_id" = s."transaction_id" WHEN MATCHED THEN UPDATE SET "transaction_type" = s."transaction_type", "sales_order_id" = s."sales_order_id", "purchase_order_id" = s."purchase_order_id" WHEN NOT MATCHED THEN INSERT ("transaction_id", "transaction_type", "sales_order_id", "purchase_order_id") VALUES (s."transaction_id", s."transaction_type", s."sales_order_id", s."purchase_order_id");
