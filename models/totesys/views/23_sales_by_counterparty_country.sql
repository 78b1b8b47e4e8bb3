-- Sales by the country of the counterparty's legal address, per currency.
CREATE OR REPLACE VIEW sales_by_counterparty_country AS
SELECT cp.counterparty_legal_country AS country, c.currency_code,
       COUNT(*) AS orders, SUM(s.units_sold) AS units_sold, SUM(s.units_sold * s.unit_price) AS revenue
FROM fact_sales_order_current s
JOIN dim_counterparty cp ON cp.counterparty_id = s.counterparty_id
JOIN dim_currency c ON c.currency_id = s.currency_id
GROUP BY cp.counterparty_legal_country, c.currency_code;
