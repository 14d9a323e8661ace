"""TransactionPayment keeps no storage: fees depend only on the extrinsic."""
