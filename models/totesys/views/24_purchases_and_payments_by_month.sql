-- Per month and currency: what was ordered from suppliers (purchase orders by creation month)
-- against the payments that settled (paid, by payment date), split by payment type.
CREATE OR REPLACE VIEW purchases_and_payments_by_month AS
SELECT year, month, currency_code,
       SUM(purchases) AS purchases,
       SUM(payments_out) AS purchase_payments,
       SUM(payments_in) AS sales_receipts
FROM (
  SELECT d.year, d.month, c.currency_code, p.item_quantity * p.item_unit_price AS purchases,
         CAST(0 AS numeric) AS payments_out, CAST(0 AS numeric) AS payments_in
  FROM fact_purchase_order_current p
  JOIN dim_date d ON d.date_id = p.created_date
  JOIN dim_currency c ON c.currency_id = p.currency_id
  UNION ALL
  SELECT d.year, d.month, c.currency_code, CAST(0 AS numeric),
         CASE WHEN t.payment_type_name IN ('PURCHASE_PAYMENT', 'PURCHASE_REFUND') THEN pay.payment_amount ELSE 0 END,
         CASE WHEN t.payment_type_name IN ('SALES_RECEIPT', 'SALES_REFUND') THEN pay.payment_amount ELSE 0 END
  FROM fact_payment_current pay
  JOIN dim_date d ON d.date_id = pay.payment_date
  JOIN dim_currency c ON c.currency_id = pay.currency_id
  JOIN dim_payment_type t ON t.payment_type_id = pay.payment_type_id
  WHERE pay.paid
) x
GROUP BY year, month, currency_code;
