-- A NAV / Business Central database in miniature, for the nav-sql driver's SQL Server test suite and
-- for trying the driver by hand. Run it in an empty database:
--   sqlcmd -S 127.0.0.1 -U sa -P '<password>' -C -Q "CREATE DATABASE NavDemo"
--   sqlcmd -S 127.0.0.1 -U sa -P '<password>' -C -d NavDemo -i sandbox/sql/nav-demo.sql
--
-- Two companies, named the two ways NAV and Business Central name their tables:
--   "CRONUS International Ltd."  as NAV up to BC14:  [CRONUS International Ltd_$Customer]
--   "CRONUS Cloud Ltd."          as BC15 and later:  [CRONUS Cloud Ltd_$Customer$437dbf0e-…], with a
--                                 companion table of a table extension next to it.
-- Shaped like NAV: names with $, spaces and _ for NAV's punctuation, a rowversion column named
-- [timestamp] in every table, no NULLs, 1753-01-01 as the blank date, options as INT, booleans as
-- TINYINT, every decimal DECIMAL(38,20). The first company's Sales Invoice Header has no
-- [Cust_ Ledger Entry No_] (older versions), the second's has.
--
-- Ledger data: posted invoices that are open, partly paid, paid, overdue and cancelled, with amounts
-- in the millions, each with its customer ledger entry and detailed entries (Initial Entry, Application).
--
-- [dbo].[crmerp_demo_process_inbound] plays the ERP-side job: it takes the rows the driver staged in
-- [crmerp] and creates customers and sales orders in the first company. In a real installation this
-- is a Job Queue codeunit in NAV / BC; see nodes/drivers/nav-sql/README.md for the contract.
--
-- The [shop] schema is a home-grown ERP for the driver's custom SQL schema mode.
SET NOCOUNT ON;
GO
DROP PROCEDURE IF EXISTS [dbo].[crmerp_demo_process_inbound];
DROP PROCEDURE IF EXISTS [shop].[UpsertCustomer];
DROP PROCEDURE IF EXISTS [shop].[CreateSalesOrder];
DROP VIEW IF EXISTS [shop].[InvoiceView];
DROP TABLE IF EXISTS [shop].[SalesOrderLines];
DROP TABLE IF EXISTS [shop].[SalesOrders];
DROP TABLE IF EXISTS [shop].[Customers];
DROP TABLE IF EXISTS [shop].[Invoices];
GO
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Customer];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Sales Header];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Sales Line];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Sales Invoice Header];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Cust_ Ledger Entry];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Detailed Cust_ Ledg_ Entry];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Item];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$General Ledger Setup];
DROP TABLE IF EXISTS [dbo].[CRONUS International Ltd_$Cancelled Document];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Customer$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Sales Header$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Sales Line$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Sales Invoice Header$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Cust_ Ledger Entry$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Detailed Cust_ Ledg_ Entry$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Item$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$General Ledger Setup$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Cancelled Document$437dbf0e-84ff-417a-965d-ed2bb9650972];
DROP TABLE IF EXISTS [dbo].[CRONUS Cloud Ltd_$Customer$5d86850b-0d76-4eca-bd7b-951ad998e997];
DROP TABLE IF EXISTS [dbo].[Company];
GO
CREATE TABLE [dbo].[Company] (
  [timestamp] TIMESTAMP NOT NULL,
  [Name] NVARCHAR(30) NOT NULL,
  CONSTRAINT [Company$0] PRIMARY KEY CLUSTERED ([Name])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Customer] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Name] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Address] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Address 2] NVARCHAR(50) NOT NULL DEFAULT (''),
  [City] NVARCHAR(30) NOT NULL DEFAULT (''),
  [Post Code] NVARCHAR(20) NOT NULL DEFAULT (''),
  [County] NVARCHAR(30) NOT NULL DEFAULT (''),
  [Country_Region Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [VAT Registration No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [E-Mail] NVARCHAR(80) NOT NULL DEFAULT (''),
  [Phone No_] NVARCHAR(30) NOT NULL DEFAULT (''),
  [Home Page] NVARCHAR(80) NOT NULL DEFAULT (''),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Payment Terms Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Credit Limit (LCY)] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Blocked] INT NOT NULL DEFAULT (0),
  [Salesperson Code] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Last Modified Date Time] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  CONSTRAINT [CRONUS International Ltd_$Customer$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Sales Header] (
  [timestamp] TIMESTAMP NOT NULL,
  [Document Type] INT NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Sell-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Bill-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Order Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Requested Delivery Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [External Document No_] NVARCHAR(35) NOT NULL DEFAULT (''),
  [Your Reference] NVARCHAR(35) NOT NULL DEFAULT (''),
  [Status] INT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS International Ltd_$Sales Header$0] PRIMARY KEY CLUSTERED ([Document Type], [No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Sales Line] (
  [timestamp] TIMESTAMP NOT NULL,
  [Document Type] INT NOT NULL,
  [Document No_] NVARCHAR(20) NOT NULL,
  [Line No_] INT NOT NULL,
  [Type] INT NOT NULL DEFAULT (0),
  [No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Description] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Quantity] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Unit of Measure Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Unit Price] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Line Discount _] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Line Discount Amount] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Amount] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Amount Including VAT] DECIMAL(38,20) NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS International Ltd_$Sales Line$0] PRIMARY KEY CLUSTERED ([Document Type], [Document No_], [Line No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Sales Invoice Header] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Sell-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Bill-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Order No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [External Document No_] NVARCHAR(35) NOT NULL DEFAULT (''),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Due Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS International Ltd_$Sales Invoice Header$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Cust_ Ledger Entry] (
  [timestamp] TIMESTAMP NOT NULL,
  [Entry No_] INT NOT NULL,
  [Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Document Type] INT NOT NULL DEFAULT (0),
  [Document No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Description] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Open] TINYINT NOT NULL DEFAULT (0),
  [Due Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [External Document No_] NVARCHAR(35) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS International Ltd_$Cust_ Ledger Entry$0] PRIMARY KEY CLUSTERED ([Entry No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Detailed Cust_ Ledg_ Entry] (
  [timestamp] TIMESTAMP NOT NULL,
  [Entry No_] INT NOT NULL,
  [Cust_ Ledger Entry No_] INT NOT NULL DEFAULT (0),
  [Entry Type] INT NOT NULL DEFAULT (0),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Document Type] INT NOT NULL DEFAULT (0),
  [Document No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Amount] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Amount (LCY)] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Ledger Entry Amount] TINYINT NOT NULL DEFAULT (0),
  [Unapplied] TINYINT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS International Ltd_$Detailed Cust_ Ledg_ Entry$0] PRIMARY KEY CLUSTERED ([Entry No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Item] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Description] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Base Unit of Measure] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Unit Price] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Blocked] TINYINT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS International Ltd_$Item$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$General Ledger Setup] (
  [timestamp] TIMESTAMP NOT NULL,
  [Primary Key] NVARCHAR(10) NOT NULL,
  [LCY Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS International Ltd_$General Ledger Setup$0] PRIMARY KEY CLUSTERED ([Primary Key])
);
GO
CREATE TABLE [dbo].[CRONUS International Ltd_$Cancelled Document] (
  [timestamp] TIMESTAMP NOT NULL,
  [Source ID] INT NOT NULL,
  [Cancelled Doc_ No_] NVARCHAR(20) NOT NULL,
  [Cancelled By Doc_ No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS International Ltd_$Cancelled Document$0] PRIMARY KEY CLUSTERED ([Source ID], [Cancelled Doc_ No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Customer$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Name] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Address] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Address 2] NVARCHAR(50) NOT NULL DEFAULT (''),
  [City] NVARCHAR(30) NOT NULL DEFAULT (''),
  [Post Code] NVARCHAR(20) NOT NULL DEFAULT (''),
  [County] NVARCHAR(30) NOT NULL DEFAULT (''),
  [Country_Region Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [VAT Registration No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [E-Mail] NVARCHAR(80) NOT NULL DEFAULT (''),
  [Phone No_] NVARCHAR(30) NOT NULL DEFAULT (''),
  [Home Page] NVARCHAR(80) NOT NULL DEFAULT (''),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Payment Terms Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Credit Limit (LCY)] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Blocked] INT NOT NULL DEFAULT (0),
  [Salesperson Code] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Last Modified Date Time] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  CONSTRAINT [CRONUS Cloud Ltd_$Customer$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Sales Header$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [Document Type] INT NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Sell-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Bill-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Order Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Requested Delivery Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [External Document No_] NVARCHAR(35) NOT NULL DEFAULT (''),
  [Your Reference] NVARCHAR(35) NOT NULL DEFAULT (''),
  [Status] INT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS Cloud Ltd_$Sales Header$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([Document Type], [No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Sales Line$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [Document Type] INT NOT NULL,
  [Document No_] NVARCHAR(20) NOT NULL,
  [Line No_] INT NOT NULL,
  [Type] INT NOT NULL DEFAULT (0),
  [No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Description] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Quantity] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Unit of Measure Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Unit Price] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Line Discount _] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Line Discount Amount] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Amount] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Amount Including VAT] DECIMAL(38,20) NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS Cloud Ltd_$Sales Line$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([Document Type], [Document No_], [Line No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Sales Invoice Header$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Sell-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Bill-to Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Order No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [External Document No_] NVARCHAR(35) NOT NULL DEFAULT (''),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Due Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Cust_ Ledger Entry No_] INT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS Cloud Ltd_$Sales Invoice Header$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Cust_ Ledger Entry$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [Entry No_] INT NOT NULL,
  [Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Document Type] INT NOT NULL DEFAULT (0),
  [Document No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Description] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Open] TINYINT NOT NULL DEFAULT (0),
  [Due Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [External Document No_] NVARCHAR(35) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS Cloud Ltd_$Cust_ Ledger Entry$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([Entry No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Detailed Cust_ Ledg_ Entry$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [Entry No_] INT NOT NULL,
  [Cust_ Ledger Entry No_] INT NOT NULL DEFAULT (0),
  [Entry Type] INT NOT NULL DEFAULT (0),
  [Posting Date] DATETIME NOT NULL DEFAULT ('1753-01-01'),
  [Document Type] INT NOT NULL DEFAULT (0),
  [Document No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Amount] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Amount (LCY)] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Customer No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  [Currency Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Ledger Entry Amount] TINYINT NOT NULL DEFAULT (0),
  [Unapplied] TINYINT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS Cloud Ltd_$Detailed Cust_ Ledg_ Entry$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([Entry No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Item$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Description] NVARCHAR(100) NOT NULL DEFAULT (''),
  [Base Unit of Measure] NVARCHAR(10) NOT NULL DEFAULT (''),
  [Unit Price] DECIMAL(38,20) NOT NULL DEFAULT (0),
  [Blocked] TINYINT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS Cloud Ltd_$Item$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$General Ledger Setup$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [Primary Key] NVARCHAR(10) NOT NULL,
  [LCY Code] NVARCHAR(10) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS Cloud Ltd_$General Ledger Setup$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([Primary Key])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Cancelled Document$437dbf0e-84ff-417a-965d-ed2bb9650972] (
  [timestamp] TIMESTAMP NOT NULL,
  [Source ID] INT NOT NULL,
  [Cancelled Doc_ No_] NVARCHAR(20) NOT NULL,
  [Cancelled By Doc_ No_] NVARCHAR(20) NOT NULL DEFAULT (''),
  CONSTRAINT [CRONUS Cloud Ltd_$Cancelled Document$437dbf0e-84ff-417a-965d-ed2bb9650972$0] PRIMARY KEY CLUSTERED ([Source ID], [Cancelled Doc_ No_])
);
GO
CREATE TABLE [dbo].[CRONUS Cloud Ltd_$Customer$5d86850b-0d76-4eca-bd7b-951ad998e997] (
  [timestamp] TIMESTAMP NOT NULL,
  [No_] NVARCHAR(20) NOT NULL,
  [Loyalty Level] INT NOT NULL DEFAULT (0),
  CONSTRAINT [CRONUS Cloud Ltd_$Customer$5d86850b-0d76-4eca-bd7b-951ad998e997$0] PRIMARY KEY CLUSTERED ([No_])
);
GO
CREATE INDEX [CRONUS International Ltd_$Detailed Cust_ Ledg_ Entry$1] ON [dbo].[CRONUS International Ltd_$Detailed Cust_ Ledg_ Entry] ([Cust_ Ledger Entry No_], [Posting Date]);
GO
CREATE INDEX [CRONUS Cloud Ltd_$Detailed Cust_ Ledg_ Entry$437dbf0e-84ff-417a-965d-ed2bb9650972$1] ON [dbo].[CRONUS Cloud Ltd_$Detailed Cust_ Ledg_ Entry$437dbf0e-84ff-417a-965d-ed2bb9650972] ([Cust_ Ledger Entry No_], [Posting Date]);
GO
-- ------------------------------------------------------------------ data: CRONUS International Ltd. (NAV naming)
DECLARE @today DATETIME = CAST(CAST(GETDATE() AS DATE) AS DATETIME);

INSERT INTO [dbo].[Company] ([Name]) VALUES (N'CRONUS International Ltd.'), (N'CRONUS Cloud Ltd.');

INSERT INTO [dbo].[CRONUS International Ltd_$General Ledger Setup] ([Primary Key], [LCY Code]) VALUES (N'', N'EUR');

INSERT INTO [dbo].[CRONUS International Ltd_$Customer]
  ([No_], [Name], [Address], [City], [Post Code], [Country_Region Code], [VAT Registration No_], [E-Mail], [Phone No_],
   [Currency Code], [Payment Terms Code], [Credit Limit (LCY)], [Blocked], [Salesperson Code], [Last Modified Date Time])
VALUES
  (N'10000', N'Adatum Corporation', N'Station Road 21', N'Cambridge', N'CB1 2FB', N'GB', N'GB789456278',
   N'robert.townes@adatum.example', N'+44 1223 555 0100', N'', N'1M(8D)', 2500000.5, 0, N'JO', '2026-01-15T08:30:00'),
  (N'20000', N'Trey Research', N'153 Thomas Drive', N'Chicago', N'US-IL 61236', N'US', N'',
   N'helen.ray@treyresearch.example', N'', N'USD', N'14 DAYS', 0, 0, N'OF', '1753-01-01'),
  (N'30000', N'O''Brien & Söhne GmbH', N'Königstraße 12', N'München', N'80331', N'DE', N'DE123456789',
   N'info@obrien-soehne.example', N'', N'', N'30 DAYS', 150000, 1, N'', '1753-01-01'),
  (N'40000', N'Alpine Ski House', N'Hauptplatz 1', N'Innsbruck', N'6020', N'AT', N'ATU12345678',
   N'office@alpineskihouse.example', N'', N'', N'', 0, 0, N'', '1753-01-01');

INSERT INTO [dbo].[CRONUS International Ltd_$Item] ([No_], [Description], [Base Unit of Measure], [Unit Price], [Blocked])
VALUES
  (N'1896-S', N'ATHENS Desk', N'PCS', 649.4, 0),
  (N'1900-S', N'PARIS Guest Chair, black', N'PCS', 192.8, 0),
  (N'1920-S', N'ANTWERP Conference Table', N'PCS', 420.4, 0),
  (N'1968-S', N'MEXICO Swivel Chair, black', N'PCS', 192.8, 0),
  (N'9999-B', N'Discontinued lamp', N'PCS', 12.5, 1);

-- Sales orders (Document Type 1): 101001 released, created by an integration under CRM-REL-1; 101002 open.
-- 102001 is an invoice document (Document Type 2) with the same external number: never an order.
INSERT INTO [dbo].[CRONUS International Ltd_$Sales Header]
  ([Document Type], [No_], [Sell-to Customer No_], [Bill-to Customer No_], [Order Date], [Posting Date],
   [Requested Delivery Date], [Currency Code], [External Document No_], [Status])
VALUES
  (1, N'101001', N'10000', N'10000', @today - 10, @today - 10, @today + 5, N'', N'CRM-REL-1', 1),
  (1, N'101002', N'20000', N'20000', @today - 2, @today - 2, '1753-01-01', N'USD', N'', 0),
  (2, N'102001', N'30000', N'30000', @today, @today, '1753-01-01', N'', N'CRM-REL-1', 0);

INSERT INTO [dbo].[CRONUS International Ltd_$Sales Line]
  ([Document Type], [Document No_], [Line No_], [Type], [No_], [Description], [Quantity], [Unit of Measure Code],
   [Unit Price], [Line Discount _], [Amount], [Amount Including VAT])
VALUES
  (1, N'101001', 10000, 2, N'1896-S', N'ATHENS Desk', 3, N'PCS', 649.4, 0, 1948.2, 2318.36),
  (1, N'101001', 20000, 0, N'', N'Deliver to the back door', 0, N'', 0, 0, 0, 0),
  (1, N'101001', 30000, 2, N'1900-S', N'PARIS Guest Chair, black', 4, N'PCS', 192.8, 10, 694.08, 825.96),
  (1, N'101002', 10000, 2, N'1920-S', N'ANTWERP Conference Table', 1, N'PCS', 420.4, 0, 420.4, 500.28);

-- Posted invoices: 103001 open, 103002 partly paid, 103003 paid, 103004 overdue (USD), 103005 cancelled by
-- credit memo 104001, 103006 the first invoice of order 101001. This company's invoice header has no
-- [Cust_ Ledger Entry No_]: the ledger entry is the invoice entry with the same document number.
INSERT INTO [dbo].[CRONUS International Ltd_$Sales Invoice Header]
  ([No_], [Sell-to Customer No_], [Bill-to Customer No_], [Order No_], [External Document No_], [Posting Date], [Due Date], [Currency Code])
VALUES
  (N'103001', N'10000', N'10000', N'', N'', @today - 5, @today + 25, N''),
  (N'103002', N'10000', N'10000', N'', N'', @today - 20, @today + 10, N''),
  (N'103003', N'10000', N'10000', N'', N'', @today - 60, @today - 30, N''),
  (N'103004', N'20000', N'20000', N'', N'', @today - 50, @today - 20, N'USD'),
  (N'103005', N'10000', N'10000', N'', N'', @today - 15, @today + 15, N''),
  (N'103006', N'10000', N'10000', N'101001', N'CRM-REL-1', @today - 3, @today + 27, N'');

-- Customer ledger entries; Document Type 1 Payment, 2 Invoice, 3 Credit Memo.
INSERT INTO [dbo].[CRONUS International Ltd_$Cust_ Ledger Entry]
  ([Entry No_], [Customer No_], [Posting Date], [Document Type], [Document No_], [Description], [Currency Code], [Open], [Due Date])
VALUES
  (1, N'10000', @today - 5, 2, N'103001', N'Invoice 103001', N'', 1, @today + 25),
  (2, N'10000', @today - 20, 2, N'103002', N'Invoice 103002', N'', 1, @today + 10),
  (3, N'10000', @today - 60, 2, N'103003', N'Invoice 103003', N'', 0, @today - 30),
  (4, N'20000', @today - 50, 2, N'103004', N'Invoice 103004', N'USD', 1, @today - 20),
  (5, N'10000', @today - 15, 2, N'103005', N'Invoice 103005', N'', 0, @today + 15),
  (6, N'10000', @today - 3, 2, N'103006', N'Invoice 103006', N'', 1, @today + 27),
  (7, N'10000', @today - 10, 1, N'PAY-0001', N'Payment', N'', 0, @today - 10),
  (8, N'10000', @today - 30, 1, N'PAY-0002', N'Payment', N'', 0, @today - 30),
  (9, N'10000', @today - 14, 3, N'104001', N'Credit Memo 104001', N'', 0, @today - 14);

-- Detailed entries: Entry Type 1 Initial Entry, 2 Application. An entry's remaining amount is the sum of all of them.
INSERT INTO [dbo].[CRONUS International Ltd_$Detailed Cust_ Ledg_ Entry]
  ([Entry No_], [Cust_ Ledger Entry No_], [Entry Type], [Posting Date], [Document Type], [Document No_], [Amount],
   [Amount (LCY)], [Customer No_], [Currency Code], [Ledger Entry Amount], [Unapplied])
VALUES
  (1, 1, 1, @today - 5, 2, N'103001', 2500000.5, 2500000.5, N'10000', N'', 1, 0),
  (2, 2, 1, @today - 20, 2, N'103002', 3000000, 3000000, N'10000', N'', 1, 0),
  (3, 2, 2, @today - 10, 1, N'PAY-0001', -1999999.75, -1999999.75, N'10000', N'', 0, 0),
  (4, 7, 1, @today - 10, 1, N'PAY-0001', -1999999.75, -1999999.75, N'10000', N'', 1, 0),
  (5, 7, 2, @today - 10, 1, N'PAY-0001', 1999999.75, 1999999.75, N'10000', N'', 0, 0),
  (6, 3, 1, @today - 60, 2, N'103003', 1800, 1800, N'10000', N'', 1, 0),
  (7, 3, 2, @today - 30, 1, N'PAY-0002', -1800, -1800, N'10000', N'', 0, 0),
  (8, 8, 1, @today - 30, 1, N'PAY-0002', -1800, -1800, N'10000', N'', 1, 0),
  (9, 8, 2, @today - 30, 1, N'PAY-0002', 1800, 1800, N'10000', N'', 0, 0),
  (10, 4, 1, @today - 50, 2, N'103004', 1234567.89, 1143118.42, N'20000', N'USD', 1, 0),
  (11, 5, 1, @today - 15, 2, N'103005', 960, 960, N'10000', N'', 1, 0),
  (12, 5, 2, @today - 14, 3, N'104001', -960, -960, N'10000', N'', 0, 0),
  (13, 9, 1, @today - 14, 3, N'104001', -960, -960, N'10000', N'', 1, 0),
  (14, 9, 2, @today - 14, 3, N'104001', 960, 960, N'10000', N'', 0, 0),
  (15, 6, 1, @today - 3, 2, N'103006', 2318.36, 2318.36, N'10000', N'', 1, 0);

INSERT INTO [dbo].[CRONUS International Ltd_$Cancelled Document] ([Source ID], [Cancelled Doc_ No_], [Cancelled By Doc_ No_])
VALUES (112, N'103005', N'104001');
GO

-- ------------------------------------------------------------------ data: CRONUS Cloud Ltd. (BC15+ naming)
DECLARE @today DATETIME = CAST(CAST(GETDATE() AS DATE) AS DATETIME);

INSERT INTO [dbo].[CRONUS Cloud Ltd_$General Ledger Setup$437dbf0e-84ff-417a-965d-ed2bb9650972] ([Primary Key], [LCY Code])
VALUES (N'', N'GBP');

INSERT INTO [dbo].[CRONUS Cloud Ltd_$Customer$437dbf0e-84ff-417a-965d-ed2bb9650972]
  ([No_], [Name], [City], [Post Code], [Country_Region Code], [E-Mail], [Credit Limit (LCY)], [Last Modified Date Time])
VALUES (N'C10000', N'Cloud Customer Ltd.', N'London', N'EC1A 1BB', N'GB', N'ap@cloudcustomer.example', 5000000, '2026-02-01T12:00:00');

INSERT INTO [dbo].[CRONUS Cloud Ltd_$Customer$5d86850b-0d76-4eca-bd7b-951ad998e997] ([No_], [Loyalty Level]) VALUES (N'C10000', 3);

INSERT INTO [dbo].[CRONUS Cloud Ltd_$Item$437dbf0e-84ff-417a-965d-ed2bb9650972] ([No_], [Description], [Base Unit of Measure], [Unit Price])
VALUES (N'1896-S', N'ATHENS Desk', N'PCS', 649.4);

INSERT INTO [dbo].[CRONUS Cloud Ltd_$Sales Invoice Header$437dbf0e-84ff-417a-965d-ed2bb9650972]
  ([No_], [Sell-to Customer No_], [Bill-to Customer No_], [Posting Date], [Due Date], [Currency Code], [Cust_ Ledger Entry No_])
VALUES (N'105001', N'C10000', N'C10000', @today - 1, @today + 30, N'', 1);

INSERT INTO [dbo].[CRONUS Cloud Ltd_$Cust_ Ledger Entry$437dbf0e-84ff-417a-965d-ed2bb9650972]
  ([Entry No_], [Customer No_], [Posting Date], [Document Type], [Document No_], [Description], [Open], [Due Date])
VALUES (1, N'C10000', @today - 1, 2, N'105001', N'Invoice 105001', 1, @today + 30);

INSERT INTO [dbo].[CRONUS Cloud Ltd_$Detailed Cust_ Ledg_ Entry$437dbf0e-84ff-417a-965d-ed2bb9650972]
  ([Entry No_], [Cust_ Ledger Entry No_], [Entry Type], [Posting Date], [Document Type], [Document No_], [Amount], [Amount (LCY)], [Customer No_], [Ledger Entry Amount])
VALUES (1, 1, 1, @today - 1, 2, N'105001', 12345678.9912, 12345678.9912, N'C10000', 1);
GO

-- ------------------------------------------------------------------ the ERP-side job (a stand-in)
-- Processes what the nav-sql driver staged for "CRONUS International Ltd.": new and changed customers,
-- and sales orders with their lines. Rows it cannot take get status 'error' and a message.
CREATE PROCEDURE [dbo].[crmerp_demo_process_inbound]
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @company NVARCHAR(30) = N'CRONUS International Ltd.';
  BEGIN TRANSACTION;

  -- New customers: the number asked for, or one from the entry number.
  UPDATE s SET
    [customer_no] = CASE WHEN s.[customer_no] = N'' THEN N'C' + RIGHT(N'00000' + CAST(s.[entry_no] AS NVARCHAR(20)), 5) ELSE s.[customer_no] END,
    [status] = N'processing'
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'pending' AND s.[operation] = N'create';

  UPDATE s SET [status] = N'error', [message] = N'Name must have a value.', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'processing' AND s.[name] = N'';

  UPDATE s SET [status] = N'error', [message] = N'Customer ' + s.[customer_no] + N' already exists.', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'processing'
    AND EXISTS (SELECT 1 FROM [dbo].[CRONUS International Ltd_$Customer] AS c WHERE c.[No_] = s.[customer_no]);

  INSERT INTO [dbo].[CRONUS International Ltd_$Customer]
    ([No_], [Name], [Address], [Address 2], [City], [Post Code], [County], [Country_Region Code], [VAT Registration No_],
     [E-Mail], [Phone No_], [Home Page], [Currency Code], [Payment Terms Code], [Credit Limit (LCY)], [Blocked], [Last Modified Date Time])
  SELECT s.[customer_no], s.[name], s.[address], s.[address_2], s.[city], s.[post_code], s.[county], s.[country_region_code],
         s.[vat_registration_no], s.[e_mail], s.[phone_no], s.[home_page], s.[currency_code], s.[payment_terms_code],
         s.[credit_limit_lcy], s.[blocked], GETUTCDATE()
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'processing';

  UPDATE s SET [status] = N'done', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'processing';

  -- Changed customers: only the fields the row lists in [fields].
  UPDATE s SET [status] = N'error', [message] = N'Customer ' + s.[customer_no] + N' does not exist.', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'pending' AND s.[operation] = N'update'
    AND NOT EXISTS (SELECT 1 FROM [dbo].[CRONUS International Ltd_$Customer] AS c WHERE c.[No_] = s.[customer_no]);

  UPDATE c SET
    [Name] = CASE WHEN CHARINDEX(N',name,', N',' + s.[fields] + N',') > 0 THEN s.[name] ELSE c.[Name] END,
    [Address] = CASE WHEN CHARINDEX(N',address.line1,', N',' + s.[fields] + N',') > 0 THEN s.[address] ELSE c.[Address] END,
    [City] = CASE WHEN CHARINDEX(N',address.city,', N',' + s.[fields] + N',') > 0 THEN s.[city] ELSE c.[City] END,
    [Post Code] = CASE WHEN CHARINDEX(N',address.postCode,', N',' + s.[fields] + N',') > 0 THEN s.[post_code] ELSE c.[Post Code] END,
    [E-Mail] = CASE WHEN CHARINDEX(N',email,', N',' + s.[fields] + N',') > 0 THEN s.[e_mail] ELSE c.[E-Mail] END,
    [Phone No_] = CASE WHEN CHARINDEX(N',phone,', N',' + s.[fields] + N',') > 0 THEN s.[phone_no] ELSE c.[Phone No_] END,
    [Credit Limit (LCY)] = CASE WHEN CHARINDEX(N',creditLimit,', N',' + s.[fields] + N',') > 0 THEN s.[credit_limit_lcy] ELSE c.[Credit Limit (LCY)] END,
    [Blocked] = CASE WHEN CHARINDEX(N',blocked,', N',' + s.[fields] + N',') > 0 THEN s.[blocked] ELSE c.[Blocked] END,
    [Last Modified Date Time] = GETUTCDATE()
  FROM [dbo].[CRONUS International Ltd_$Customer] AS c
  JOIN [crmerp].[customer_inbound] AS s ON s.[customer_no] = c.[No_]
  WHERE s.[company] = @company AND s.[status] = N'pending' AND s.[operation] = N'update';

  UPDATE s SET [status] = N'done', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[customer_inbound] AS s
  WHERE s.[company] = @company AND s.[status] = N'pending' AND s.[operation] = N'update';

  -- Sales orders: refused when an item is unknown or blocked, or the customer unknown.
  UPDATE o SET [status] = N'error', [message] = N'Item ' + bad.[item_no] + N' is blocked or does not exist.', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[sales_order_inbound] AS o
  CROSS APPLY (
    SELECT TOP (1) l.[item_no]
    FROM [crmerp].[sales_order_line_inbound] AS l
    LEFT JOIN [dbo].[CRONUS International Ltd_$Item] AS i ON i.[No_] = l.[item_no]
    WHERE l.[entry_no] = o.[entry_no] AND (i.[No_] IS NULL OR i.[Blocked] = 1)
    ORDER BY l.[line_no]
  ) AS bad
  WHERE o.[company] = @company AND o.[status] = N'pending';

  UPDATE o SET [status] = N'error', [message] = N'Customer ' + o.[sell_to_customer_no] + N' does not exist.', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[sales_order_inbound] AS o
  WHERE o.[company] = @company AND o.[status] = N'pending'
    AND NOT EXISTS (SELECT 1 FROM [dbo].[CRONUS International Ltd_$Customer] AS c WHERE c.[No_] = o.[sell_to_customer_no]);

  UPDATE o SET [order_no] = N'SO-' + CAST(200000 + o.[entry_no] AS NVARCHAR(20)), [status] = N'processing'
  FROM [crmerp].[sales_order_inbound] AS o
  WHERE o.[company] = @company AND o.[status] = N'pending';

  INSERT INTO [dbo].[CRONUS International Ltd_$Sales Header]
    ([Document Type], [No_], [Sell-to Customer No_], [Bill-to Customer No_], [Order Date], [Posting Date],
     [Requested Delivery Date], [Currency Code], [External Document No_], [Status])
  SELECT 1, o.[order_no], o.[sell_to_customer_no], o.[sell_to_customer_no], o.[order_date], o.[order_date],
         o.[requested_delivery_date], o.[currency_code], o.[external_document_no], 0
  FROM [crmerp].[sales_order_inbound] AS o
  WHERE o.[company] = @company AND o.[status] = N'processing';

  INSERT INTO [dbo].[CRONUS International Ltd_$Sales Line]
    ([Document Type], [Document No_], [Line No_], [Type], [No_], [Description], [Quantity], [Unit of Measure Code],
     [Unit Price], [Line Discount _], [Line Discount Amount])
  SELECT 1, o.[order_no], l.[line_no], 2, l.[item_no],
         CASE WHEN l.[description] = N'' THEN i.[Description] ELSE l.[description] END,
         l.[quantity],
         CASE WHEN l.[unit_of_measure_code] = N'' THEN i.[Base Unit of Measure] ELSE l.[unit_of_measure_code] END,
         CASE WHEN l.[price_given] = 1 THEN l.[unit_price] ELSE i.[Unit Price] END,
         l.[line_discount_pct], l.[line_discount_amount]
  FROM [crmerp].[sales_order_inbound] AS o
  JOIN [crmerp].[sales_order_line_inbound] AS l ON l.[entry_no] = o.[entry_no]
  JOIN [dbo].[CRONUS International Ltd_$Item] AS i ON i.[No_] = l.[item_no]
  WHERE o.[company] = @company AND o.[status] = N'processing';

  UPDATE o SET [status] = N'done', [processed_at] = GETUTCDATE(), [updated_at] = GETUTCDATE()
  FROM [crmerp].[sales_order_inbound] AS o
  WHERE o.[company] = @company AND o.[status] = N'processing';

  COMMIT TRANSACTION;
END
GO

-- ------------------------------------------------------------------ a home-grown ERP, for the custom SQL schema mode
IF SCHEMA_ID(N'shop') IS NULL EXEC(N'CREATE SCHEMA [shop]');
GO
CREATE TABLE [shop].[Customers] (
  [CustomerNo] NVARCHAR(20) NOT NULL PRIMARY KEY,
  [Name] NVARCHAR(100) NOT NULL,
  [Email] NVARCHAR(100) NULL,
  [VatId] NVARCHAR(20) NULL,
  [City] NVARCHAR(50) NULL,
  [Zip] NVARCHAR(20) NULL,
  [CreditLimit] DECIMAL(18,2) NULL,
  [Blocked] INT NOT NULL DEFAULT (0),
  [CrmAccountId] NVARCHAR(100) NULL,
  [Segment] NVARCHAR(30) NULL,
  [RowVer] TIMESTAMP NOT NULL
);
CREATE TABLE [shop].[SalesOrders] (
  [OrderNo] INT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  [ExternalRef] NVARCHAR(35) NOT NULL UNIQUE,
  [CustomerNo] NVARCHAR(20) NOT NULL,
  [OrderDate] DATE NOT NULL,
  [Currency] NVARCHAR(3) NULL,
  [Status] INT NOT NULL DEFAULT (0)
);
CREATE TABLE [shop].[SalesOrderLines] (
  [OrderNo] INT NOT NULL,
  [LineNo] INT NOT NULL,
  [ItemNo] NVARCHAR(20) NOT NULL,
  [Qty] DECIMAL(18,4) NOT NULL,
  [Description] NVARCHAR(100) NULL,
  [UnitPrice] DECIMAL(18,2) NULL,
  CONSTRAINT [PK_SalesOrderLines] PRIMARY KEY ([OrderNo], [LineNo])
);
CREATE TABLE [shop].[Invoices] (
  [InvoiceNo] NVARCHAR(20) NOT NULL PRIMARY KEY,
  [CustomerNo] NVARCHAR(20) NOT NULL,
  [OrderNo] NVARCHAR(20) NULL,
  [DueDate] DATE NOT NULL,
  [Currency] NVARCHAR(3) NULL,
  [Amount] DECIMAL(18,2) NOT NULL,
  [Paid] DECIMAL(18,2) NOT NULL DEFAULT (0),
  [IsCancelled] BIT NOT NULL DEFAULT (0)
);
GO
CREATE VIEW [shop].[InvoiceView] AS
  SELECT [InvoiceNo], [CustomerNo], [OrderNo], [DueDate], [Currency], [Amount], [Amount] - [Paid] AS [Remaining], [IsCancelled]
  FROM [shop].[Invoices];
GO
-- Upserts a customer by number, or by CRM id when no number is given; answers the number.
CREATE PROCEDURE [shop].[UpsertCustomer]
  @number NVARCHAR(20) = NULL, @name NVARCHAR(100) = NULL, @email NVARCHAR(100) = NULL, @taxId NVARCHAR(20) = NULL,
  @address_city NVARCHAR(50) = NULL, @address_postCode NVARCHAR(20) = NULL, @creditLimit DECIMAL(18,2) = NULL,
  @blocked INT = NULL, @ids_crm NVARCHAR(100) = NULL, @custom_segment NVARCHAR(30) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @created BIT = 0;
  IF @number IS NULL SELECT @number = [CustomerNo] FROM [shop].[Customers] WITH (UPDLOCK, HOLDLOCK) WHERE [CrmAccountId] = @ids_crm;
  IF @number IS NULL OR NOT EXISTS (SELECT 1 FROM [shop].[Customers] WITH (UPDLOCK, HOLDLOCK) WHERE [CustomerNo] = @number)
  BEGIN
    IF @number IS NULL SET @number = N'P' + RIGHT(N'00000' + CAST((SELECT COUNT(*) + 1 FROM [shop].[Customers]) AS NVARCHAR(10)), 5);
    INSERT INTO [shop].[Customers] ([CustomerNo], [Name]) VALUES (@number, COALESCE(@name, N''));
    SET @created = 1;
  END
  UPDATE [shop].[Customers] SET
    [Name] = COALESCE(@name, [Name]), [Email] = COALESCE(@email, [Email]), [VatId] = COALESCE(@taxId, [VatId]),
    [City] = COALESCE(@address_city, [City]), [Zip] = COALESCE(@address_postCode, [Zip]),
    [CreditLimit] = COALESCE(@creditLimit, [CreditLimit]), [Blocked] = COALESCE(@blocked, [Blocked]),
    [CrmAccountId] = COALESCE(@ids_crm, [CrmAccountId]), [Segment] = COALESCE(@custom_segment, [Segment])
  WHERE [CustomerNo] = @number;
  SELECT @number AS [number], @created AS [created];
END
GO
-- Creates an order with its lines (JSON) once per external reference; answers the order number.
CREATE PROCEDURE [shop].[CreateSalesOrder]
  @externalDocumentNumber NVARCHAR(35), @customerNumber NVARCHAR(20), @orderDate DATE, @requestedDeliveryDate DATE = NULL,
  @currency NVARCHAR(3) = NULL, @useSourcePrices BIT = 0, @lines NVARCHAR(MAX)
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @orderNo INT = (SELECT [OrderNo] FROM [shop].[SalesOrders] WITH (UPDLOCK, HOLDLOCK) WHERE [ExternalRef] = @externalDocumentNumber);
  IF @orderNo IS NULL
  BEGIN
    INSERT INTO [shop].[SalesOrders] ([ExternalRef], [CustomerNo], [OrderDate], [Currency]) VALUES (@externalDocumentNumber, @customerNumber, @orderDate, @currency);
    SET @orderNo = CAST(SCOPE_IDENTITY() AS INT);
    INSERT INTO [shop].[SalesOrderLines] ([OrderNo], [LineNo], [ItemNo], [Qty], [Description], [UnitPrice])
    SELECT @orderNo, j.[lineNumber], j.[itemNumber], j.[quantity], j.[description], CASE WHEN @useSourcePrices = 1 THEN j.[unitPrice] END
    FROM OPENJSON(@lines) WITH ([lineNumber] INT, [itemNumber] NVARCHAR(20), [quantity] DECIMAL(18,4), [description] NVARCHAR(100), [unitPrice] DECIMAL(18,2)) AS j;
  END
  SELECT CAST(@orderNo AS NVARCHAR(20)) AS [number];
END
GO
DECLARE @today DATE = CAST(GETDATE() AS DATE);
INSERT INTO [shop].[Customers] ([CustomerNo], [Name], [Email], [VatId], [City], [Zip], [CreditLimit], [Blocked], [CrmAccountId], [Segment])
VALUES
  (N'S00001', N'Shop Customer One', N'one@shop.example', N'DE111111111', N'Hamburg', N'20095', 1000000.5, 0, N'crm-1', N'Retail'),
  (N'S00002', N'Shop Customer Two', N'two@shop.example', NULL, N'Bremen', N'28195', NULL, 1, NULL, NULL);
INSERT INTO [shop].[Invoices] ([InvoiceNo], [CustomerNo], [OrderNo], [DueDate], [Currency], [Amount], [Paid], [IsCancelled])
VALUES
  (N'INV-1', N'S00001', NULL, DATEADD(DAY, 20, @today), N'EUR', 2500000.5, 0, 0),
  (N'INV-2', N'S00001', NULL, DATEADD(DAY, -20, @today), NULL, 1234567.89, 234567.89, 0),
  (N'INV-3', N'S00001', NULL, DATEADD(DAY, -5, @today), N'EUR', 960, 0, 1);
GO
