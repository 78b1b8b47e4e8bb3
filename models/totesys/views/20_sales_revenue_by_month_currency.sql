-- Revenue (units_sold x unit_price) by the month the order was created and its currency.
-- Currencies are never summed together: there is no exchange rate in the source.
CREATE OR REPLACE VIEW sales_revenue_by_month_currency AS
SELECT d.year, d.month, d.month_name, c.currency_code,
       COUNT(*) AS orders, SUM(s.units_sold) AS units_sold, SUM(s.units_sold * s.unit_price) AS revenue
FROM fact_sales_order_current s
JOIN dim_date d ON d.date_id = s.created_date
JOIN dim_currency c ON c.currency_id = s.currency_id
GROUP BY d.year, d.month, d.month_name, c.currency_code;
