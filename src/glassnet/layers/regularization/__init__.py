from glassnet.layers.regularization.dropout import Dropout
