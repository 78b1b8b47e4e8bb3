#include "dwh/source/totesys_schema.hpp"

#include <stdexcept>

namespace dwh::source {
namespace {

constexpr std::string_view kTimestamp = "timestamp(3) without time zone";
constexpr std::string_view kMoney = "numeric(10,2)";
constexpr std::string_view kNow = "CURRENT_TIMESTAMP";

// Every table ends its audit pair the same way; only the position of the pair differs.
ColumnDef created_at() {
  return {"created_at", kTimestamp, true, kNow};
}
ColumnDef last_updated() {
  return {"last_updated", kTimestamp, true, {}};
}

ForeignKeyDef fk(std::string_view table, std::string_view column, std::string_view parent,
                 std::string_view parent_column, std::string_view on_delete, std::string_view name) {
  return {name, table, column, parent, parent_column, "CASCADE", on_delete};
}

// The reference tables: the parties, places and kinds the trading tables point at.
void add_reference_tables(std::vector<TableDef>& t) {
  t.push_back({"address",
               {{"address_id", "serial"},
                {"address_line_1", "text"},
                {"address_line_2", "text", false},
                {"district", "text", false},
                {"city", "text"},
                {"postal_code", "text"},
                {"country", "text"},
                {"phone", "text"},
                created_at(),
                last_updated()},
               "address_id",
               {},
               {}});
  t.push_back({"counterparty",
               {{"counterparty_id", "serial"},
                {"counterparty_legal_name", "text"},
                {"legal_address_id", "integer"},
                {"commercial_contact", "text", false},
                {"delivery_contact", "text", false},
                created_at(),
                last_updated()},
               "counterparty_id",
               {},
               {fk("counterparty", "legal_address_id", "address", "address_id", "RESTRICT",
                   "counterparty_legal_address_id_fkey")}});
  t.push_back(
      {"currency",
       {{"currency_id", "serial"}, {"currency_code", "character varying(3)"}, created_at(), last_updated()},
       "currency_id",
       {},
       {}});
  t.push_back({"department",
               {{"department_id", "serial"},
                {"department_name", "text"},
                {"location", "text", false},
                {"manager", "text", false},
                created_at(),
                last_updated()},
               "department_id",
               {},
               {}});
  // The real column order: created_at before the name, last_updated last.
  t.push_back({"design",
               {{"design_id", "serial"},
                created_at(),
                {"design_name", "text"},
                {"file_location", "text"},
                {"file_name", "text"},
                last_updated()},
               "design_id",
               {},
               {}});
  t.push_back({"staff",
               {{"staff_id", "serial"},
                {"first_name", "text"},
                {"last_name", "text"},
                {"department_id", "integer"},
                {"email_address", "text"},
                created_at(),
                last_updated()},
               "staff_id",
               {},
               {fk("staff", "department_id", "department", "department_id", "RESTRICT",
                   "staff_department_id_fkey")}});
  t.push_back({"payment_type",
               {{"payment_type_id", "serial"},
                {"payment_type_name", "\"PaymentTypeName\""},
                created_at(),
                last_updated()},
               "payment_type_id",
               {},
               {}});
}

// The orders: sales and purchases, each pointing at the reference tables.
void add_order_tables(std::vector<TableDef>& t) {
  t.push_back(
      {"sales_order",
       {{"sales_order_id", "serial"},
        created_at(),
        last_updated(),
        {"design_id", "integer"},
        {"staff_id", "integer"},
        {"counterparty_id", "integer"},
        {"units_sold", "integer"},
        {"unit_price", kMoney},
        {"currency_id", "integer"},
        {"agreed_delivery_date", "text"},
        {"agreed_payment_date", "text"},
        {"agreed_delivery_location_id", "integer"}},
       "sales_order_id",
       {},
       {fk("sales_order", "design_id", "design", "design_id", "RESTRICT", "sales_order_design_id_fkey"),
        fk("sales_order", "staff_id", "staff", "staff_id", "RESTRICT", "sales_order_staff_id_fkey"),
        fk("sales_order", "counterparty_id", "counterparty", "counterparty_id", "RESTRICT",
           "sales_order_counterparty_id_fkey"),
        fk("sales_order", "currency_id", "currency", "currency_id", "RESTRICT",
           "sales_order_currency_id_fkey"),
        fk("sales_order", "agreed_delivery_location_id", "address", "address_id", "RESTRICT",
           "sales_order_agreed_delivery_location_id_fkey")}});
  t.push_back(
      {"purchase_order",
       {{"purchase_order_id", "serial"},
        created_at(),
        last_updated(),
        {"staff_id", "integer"},
        {"counterparty_id", "integer"},
        {"item_code", "text"},
        {"item_quantity", "integer"},
        {"item_unit_price", kMoney},
        {"currency_id", "integer"},
        {"agreed_delivery_date", "text"},
        {"agreed_payment_date", "text"},
        {"agreed_delivery_location_id", "integer"}},
       "purchase_order_id",
       {},
       {fk("purchase_order", "staff_id", "staff", "staff_id", "RESTRICT", "purchase_order_staff_id_fkey"),
        fk("purchase_order", "counterparty_id", "counterparty", "counterparty_id", "RESTRICT",
           "purchase_order_counterparty_id_fkey"),
        fk("purchase_order", "currency_id", "currency", "currency_id", "RESTRICT",
           "purchase_order_currency_id_fkey"),
        fk("purchase_order", "agreed_delivery_location_id", "address", "address_id", "RESTRICT",
           "purchase_order_agreed_delivery_location_id_fkey")}});
}

// The money side: transactions and the payments made for them.
void add_payment_tables(std::vector<TableDef>& t) {
  t.push_back({"transaction",
               {{"transaction_id", "serial"},
                {"transaction_type", "\"TransactionType\""},
                {"sales_order_id", "integer", false},
                {"purchase_order_id", "integer", false},
                created_at(),
                last_updated()},
               "transaction_id",
               {{"transaction_purchase_order_id_key", "purchase_order_id"},
                {"transaction_sales_order_id_key", "sales_order_id"}},
               {fk("transaction", "sales_order_id", "sales_order", "sales_order_id", "SET NULL",
                   "transaction_sales_order_id_fkey"),
                fk("transaction", "purchase_order_id", "purchase_order", "purchase_order_id", "SET NULL",
                   "transaction_purchase_order_id_fkey")}});
  t.push_back(
      {"payment",
       {{"payment_id", "serial"},
        created_at(),
        last_updated(),
        {"transaction_id", "integer"},
        {"counterparty_id", "integer"},
        {"payment_amount", kMoney},
        {"currency_id", "integer"},
        {"payment_type_id", "integer"},
        {"paid", "boolean"},
        {"payment_date", "text"},
        {"company_ac_number", "integer"},
        {"counterparty_ac_number", "integer"}},
       "payment_id",
       {{"payment_transaction_id_key", "transaction_id"}},
       {fk("payment", "transaction_id", "transaction", "transaction_id", "RESTRICT",
           "payment_transaction_id_fkey"),
        fk("payment", "counterparty_id", "counterparty", "counterparty_id", "RESTRICT",
           "payment_counterparty_id_fkey"),
        fk("payment", "currency_id", "currency", "currency_id", "RESTRICT", "payment_currency_id_fkey"),
        fk("payment", "payment_type_id", "payment_type", "payment_type_id", "RESTRICT",
           "payment_payment_type_id_fkey")}});
}

std::vector<TableDef> build_tables() {
  std::vector<TableDef> t;
  add_reference_tables(t);
  add_order_tables(t);
  add_payment_tables(t);
  return t;
}

}  // namespace

std::string TableDef::primary_key_name() const {
  return std::string(name) + "_pkey";
}

const std::vector<EnumDef>& totesys_enums() {
  static const std::vector<EnumDef> enums = {
      {"\"PaymentTypeName\"", {"SALES_RECEIPT", "SALES_REFUND", "PURCHASE_PAYMENT", "PURCHASE_REFUND"}},
      {"\"TransactionType\"", {"SALE", "PURCHASE"}},
  };
  return enums;
}

const std::vector<TableDef>& totesys_tables() {
  static const std::vector<TableDef> tables = build_tables();
  return tables;
}

const TableDef& totesys_table(std::string_view name) {
  for (const auto& t : totesys_tables())
    if (t.name == name) return t;
  throw std::out_of_range("not a totesys table: " + std::string(name));
}

std::string create_enum_sql(const EnumDef& e) {
  std::string sql = "CREATE TYPE " + std::string(e.name) + " AS ENUM (";
  for (std::size_t i = 0; i < e.labels.size(); ++i) {
    if (i) sql += ", ";
    sql += "'" + std::string(e.labels[i]) + "'";
  }
  return sql + ")";
}

std::string create_table_sql(const TableDef& t) {
  std::string sql = "CREATE TABLE " + std::string(t.name) + " (";
  for (const auto& c : t.columns) {
    sql += "\n  " + std::string(c.name) + " " + std::string(c.type);
    if (c.not_null) sql += " NOT NULL";
    if (!c.default_sql.empty()) sql += " DEFAULT " + std::string(c.default_sql);
    sql += ",";
  }
  sql += "\n  CONSTRAINT " + t.primary_key_name() + " PRIMARY KEY (" + std::string(t.primary_key) + ")\n)";
  return sql;
}

std::string add_primary_key_sql(const TableDef& t) {
  return "ALTER TABLE " + std::string(t.name) + " ADD CONSTRAINT " + t.primary_key_name() + " PRIMARY KEY (" +
         std::string(t.primary_key) + ")";
}

std::string create_unique_index_sql(const TableDef& t, const UniqueIndexDef& index) {
  return "CREATE UNIQUE INDEX " + std::string(index.name) + " ON " + std::string(t.name) + " USING btree (" +
         std::string(index.column) + ")";
}

std::string add_foreign_key_sql(const ForeignKeyDef& fk, bool not_valid) {
  std::string sql = "ALTER TABLE " + std::string(fk.table) + " ADD CONSTRAINT " + std::string(fk.name) +
                    " FOREIGN KEY (" + std::string(fk.column) + ") REFERENCES " +
                    std::string(fk.parent_table) + "(" + std::string(fk.parent_column) + ") ON UPDATE " +
                    std::string(fk.on_update) + " ON DELETE " + std::string(fk.on_delete);
  if (not_valid) sql += " NOT VALID";
  return sql;
}

std::vector<std::string> totesys_ddl() {
  std::vector<std::string> ddl;
  for (const auto& e : totesys_enums()) ddl.push_back(create_enum_sql(e));
  for (const auto& t : totesys_tables()) ddl.push_back(create_table_sql(t));
  for (const auto& t : totesys_tables())
    for (const auto& i : t.unique_indexes) ddl.push_back(create_unique_index_sql(t, i));
  for (const auto& t : totesys_tables())
    for (const auto& f : t.foreign_keys) ddl.push_back(add_foreign_key_sql(f));
  return ddl;
}

}  // namespace dwh::source
