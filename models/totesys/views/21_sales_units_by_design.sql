-- Units sold per design, ranked (1 = most units): the "top 10 designs" is rank <= 10.
CREATE OR REPLACE VIEW sales_units_by_design AS
SELECT g.design_id, g.design_name, g.units_sold, g.orders,
       RANK() OVER (ORDER BY g.units_sold DESC, g.design_id) AS units_rank
FROM (
  SELECT d.design_id, d.design_name, SUM(s.units_sold) AS units_sold, COUNT(*) AS orders
  FROM fact_sales_order_current s JOIN dim_design d ON d.design_id = s.design_id
  GROUP BY d.design_id, d.design_name
) g;
