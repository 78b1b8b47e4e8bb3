-- Revenue per sales person and currency; revenue_rank ranks staff within each currency.
CREATE OR REPLACE VIEW sales_revenue_by_staff AS
SELECT g.staff_id, g.first_name, g.last_name, g.department_name, g.currency_code, g.orders, g.revenue,
       RANK() OVER (PARTITION BY g.currency_code ORDER BY g.revenue DESC, g.staff_id) AS revenue_rank
FROM (
  SELECT st.staff_id, st.first_name, st.last_name, st.department_name, c.currency_code,
         COUNT(*) AS orders, SUM(s.units_sold * s.unit_price) AS revenue
  FROM fact_sales_order_current s
  JOIN dim_staff st ON st.staff_id = s.sales_staff_id
  JOIN dim_currency c ON c.currency_id = s.currency_id
  GROUP BY st.staff_id, st.first_name, st.last_name, st.department_name, c.currency_code
) g;
